"""Studies: creation, texts, configuration (frozen at round 1), finishing, publishing and key shredding."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from civic import db
from civic.config import LANGUAGES
from civic.core.errors import DomainError, InvalidTransition, PermissionDenied
from civic.db import utc_now
from civic.delphi import pseudonyms
from civic.delphi.analysis import CONFIG_KEYS, effective_config
from civic.delphi.links import link_choices, study_path
from civic.delphi.models import (
    DelphiPanelist,
    DelphiStudy,
    RoundStatus,
    StudyStatus,
)
from civic.delphi.permissions import ORGANISE
from civic.identity import audit
from civic.identity.notifications import notify

TITLE_MAX = 300


@dataclass
class StudyData:
    titles: dict[str, str]
    contexts: dict[str, str]
    base_language: str = "kk"
    link_type: str | None = None
    link_id: int | None = None


def _check_study(data: StudyData) -> None:
    if data.base_language not in LANGUAGES:
        raise DomainError(_l("Choose the language you write the study in."), field="base_language")
    if not (data.titles.get(data.base_language) or "").strip():
        raise DomainError(
            _l("Give the study a title in the language you chose as its main language."),
            field=f"title_{data.base_language}",
        )
    if any(len(t or "") > TITLE_MAX for t in data.titles.values()):
        raise DomainError(_l("A title can have at most %(n)s characters.", n=TITLE_MAX))
    if data.link_type and data.link_type not in dict(link_choices()):
        raise DomainError(_l("Unknown kind of linked object."), field="link_type")
    if data.link_type and not (data.link_id and data.link_id > 0):
        raise DomainError(_l("Enter the number of the linked object."), field="link_id")


def _apply_study(study: DelphiStudy, data: StudyData) -> None:
    for lang in LANGUAGES:
        setattr(study, f"title_{lang}", (data.titles.get(lang) or "").strip())
        setattr(study, f"context_{lang}", (data.contexts.get(lang) or "").strip())
    study.base_language = data.base_language
    study.linked_object_type = data.link_type or None
    study.linked_object_id = data.link_id if data.link_type else None


def _texts(study: DelphiStudy) -> dict[str, Any]:
    return {
        "title": study.title_kk or study.title_ru or study.title_en,
        "link": study.linked_object_type,
        "link_id": study.linked_object_id,
    }


def create_study(actor, data: StudyData) -> DelphiStudy:
    """Create a draft study organised by ``actor``, with its pseudonym key."""
    if not actor.has_permission(ORGANISE):
        raise PermissionDenied()
    _check_study(data)
    study = DelphiStudy(organiser_id=actor.id, status=StudyStatus.DRAFT, config={})
    _apply_study(study, data)
    db.session.add(study)
    db.session.flush()
    pseudonyms.create_key(study)
    audit.record("delphi.create_study", study, actor=actor, after=_texts(study))
    return study


def update_study(study: DelphiStudy, actor, data: StudyData) -> None:
    """Change the texts and the link (the questions themselves are items)."""
    if study.is_finished:
        raise InvalidTransition(study, "edit", _l("A finished study cannot be changed."))
    _check_study(data)
    before = _texts(study)
    _apply_study(study, data)
    db.session.flush()
    audit.record("delphi.update_study", study, actor=actor, before=before, after=_texts(study))


_RANGES: dict[str, tuple[float, float]] = {
    "n_min": (5, 100),
    "agree_threshold": (0.5, 1),
    "modal_threshold": (0.5, 1),
    "cv_max": (0.01, 5),
    "w_min": (0.1, 1),
    "alpha": (0.001, 0.2),
    "tvd_max": (0.01, 0.5),
    "rel_median_change_max": (0.01, 1),
    "cv_change_max": (0.01, 1),
    "delta_w_max": (0.01, 0.5),
    "min_rounds": (1, 10),
    "max_rounds": (1, 10),
    "min_response_rate": (0.1, 1),
    "tw_min": (0, 1),
    "rank_reason_distance": (1, 11),
}
#: Study settings outside the statistics engine's configuration (read by services.answers.reason_rule).
APP_KEYS = ("rank_reason_distance",)


def set_config(study: DelphiStudy, actor, values: dict[str, Any]) -> None:
    """Set the consensus and stopping rules; refused once round 1 has opened."""
    if study.is_frozen:
        raise InvalidTransition(
            study,
            "configure",
            _l("The consensus and stopping rules were fixed when round 1 opened; they cannot change during a study."),
        )
    clean = {key: values[key] for key in (*CONFIG_KEYS, *APP_KEYS) if key in values}
    if clean.get("rank_reason_distance") is None:
        clean.pop("rank_reason_distance", None)  # the platform's default applies
    for key, (low, high) in _RANGES.items():
        value = clean.get(key)
        if value is not None and not low <= value <= high:
            raise DomainError(_l("This value must be between %(low)s and %(high)s.", low=low, high=high), field=key)
    if clean.get("preset", "default") not in ("default", "comet_70_15", "rand_ucla"):
        raise DomainError(_l("Unknown rule set."), field="preset")
    if clean.get("min_rounds", 2) > clean.get("max_rounds", 3):
        raise DomainError(_l("The minimum number of rounds cannot exceed the maximum."), field="max_rounds")
    before = effective_config(study)
    study.config = clean
    db.session.flush()
    audit.record("delphi.set_config", study, actor=actor, before=before, after=effective_config(study))


def _panel_users(study: DelphiStudy):
    return db.session.scalars(select(DelphiPanelist).where(DelphiPanelist.study_id == study.id)).all()


def finish_refusal(study: DelphiStudy):
    """Why the study cannot be finished now (a translated message), or None: the confirmation page asks first."""
    if study.is_finished:
        return _l("The study is already finished.")
    if study.open_round is not None:
        return _l("Close the open round first.")
    unpublished = [r.number for r in study.voting_rounds if r.status == RoundStatus.CLOSED]
    if unpublished:
        return _l("Publish the feedback of round %(n)s first: the panel has not seen it yet.", n=unpublished[0])
    return None


def finish_study(study: DelphiStudy, actor, now: datetime | None = None) -> None:
    """End the study after its last round; the reason is the last stopping decision (or the organiser's call)."""
    refusal = finish_refusal(study)
    if refusal is not None:
        raise InvalidTransition(study, "finish", refusal)
    last = study.closed_rounds[-1] if study.closed_rounds else None
    decision = (last.stopping or {}).get("decision") if last else None
    study.status, study.finished_at = StudyStatus.FINISHED, now or utc_now()
    study.finish_reason = decision if decision and decision.startswith("stop") else "organiser_decision"
    db.session.flush()
    for panelist in _panel_users(study):
        notify(
            panelist.user,
            "delphi.finished",
            lambda: _l("The Delphi study \u201c%(title)s\u201d is finished", title=study.title),
            lambda: _l("Thank you for taking part. The final results are on the study page."),
            link=study_path(study.id, "/results"),
        )
    audit.record("delphi.finish_study", study, actor=actor, after={"reason": study.finish_reason})


def publish_refusal(study: DelphiStudy):
    """Why the results cannot be published now, or None."""
    if not study.is_finished:
        return _l("Results can be published once the study is finished.")
    if study.results_published:
        return _l("The results are already public.")
    return None


def publish_results(study: DelphiStudy, actor, now: datetime | None = None) -> None:
    """Make the aggregated results public (and visible from the linked object)."""
    refusal = publish_refusal(study)
    if refusal is not None:
        raise InvalidTransition(study, "publish", refusal)
    study.results_published_at = now or utc_now()
    db.session.flush()
    audit.record("delphi.publish_results", study, actor=actor)


def shred_refusal(study: DelphiStudy):
    """Why the anonymity key cannot be destroyed now, or None."""
    if not study.is_finished:
        return _l("The anonymity key is needed until the study is finished.")
    if not pseudonyms.has_key(study):
        return _l("The anonymity key was already destroyed.")
    return None


def destroy_key(study: DelphiStudy, actor) -> None:
    """Crypto-shred the study's pseudonym key now (only after the study is finished)."""
    refusal = shred_refusal(study)
    if refusal is not None:
        raise InvalidTransition(study, "shred", refusal)
    if not pseudonyms.shred_key(study):
        raise InvalidTransition(study, "shred", _l("The anonymity key was already destroyed."))
    audit.record("delphi.shred_key", study, actor=actor)


def shred_expired_keys(retention_days: int, now: datetime | None = None) -> int:
    """Destroy the keys of studies finished more than ``retention_days`` ago. Returns how many were destroyed."""
    cutoff = (now or utc_now()) - timedelta(days=retention_days)
    studies = db.session.scalars(
        select(DelphiStudy).where(
            DelphiStudy.status == StudyStatus.FINISHED,
            DelphiStudy.finished_at <= cutoff,
            DelphiStudy.key_shredded_at.is_(None),
        )
    ).all()
    count = 0
    for study in studies:
        if pseudonyms.shred_key(study):
            audit.record("delphi.shred_key", study, after={"retention_days": retention_days})
            count += 1
    return count


def panel_size(study: DelphiStudy) -> int:
    return (
        db.session.scalar(select(func.count()).select_from(DelphiPanelist).where(DelphiPanelist.study_id == study.id))
        or 0
    )
