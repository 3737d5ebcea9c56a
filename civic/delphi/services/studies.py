"""Studies and items: creation, texts, configuration (frozen at round 1), finishing and publishing."""

from __future__ import annotations

from dataclasses import dataclass, field
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
from civic.delphi.items import CUSTOM_POINTS, MAX_OPTIONS, SCALE_PRESETS
from civic.delphi.links import LINK_TYPES, study_path
from civic.delphi.models import (
    DelphiItem,
    DelphiPanelist,
    DelphiProposal,
    DelphiStudy,
    ItemKind,
    ProposalStatus,
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


@dataclass
class ItemData:
    kind: str
    texts: dict[str, str]
    scale_preset: str | None = None
    scale_points: int | None = None
    low_labels: dict[str, str] = field(default_factory=dict)
    high_labels: dict[str, str] = field(default_factory=dict)
    options: dict[str, list[str]] = field(default_factory=dict)  # language -> option texts, one per option
    unit: str | None = None
    min_value: float | None = None
    max_value: float | None = None
    ratio_scale: bool = True


def _check_study(data: StudyData) -> None:
    if data.base_language not in LANGUAGES:
        raise DomainError(_l("Choose the language you write the study in."), field="base_language")
    if not (data.titles.get(data.base_language) or "").strip():
        raise DomainError(_l("Give the study a title in the language you chose as its main language."),
                          field=f"title_{data.base_language}")
    if any(len(t or "") > TITLE_MAX for t in data.titles.values()):
        raise DomainError(_l("A title can have at most %(n)s characters.", n=TITLE_MAX))
    if data.link_type and data.link_type not in LINK_TYPES:
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
    return {"title": study.title_kk or study.title_ru or study.title_en, "link": study.linked_object_type,
            "link_id": study.linked_object_id}


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
    "n_min": (5, 100), "agree_threshold": (0.5, 1), "modal_threshold": (0.5, 1), "cv_max": (0.01, 5),
    "w_min": (0.1, 1), "alpha": (0.001, 0.2), "tvd_max": (0.01, 0.5), "rel_median_change_max": (0.01, 1),
    "cv_change_max": (0.01, 1), "delta_w_max": (0.01, 0.5), "min_rounds": (1, 10), "max_rounds": (1, 10),
    "min_response_rate": (0.1, 1), "tw_min": (0, 1),
}


def set_config(study: DelphiStudy, actor, values: dict[str, Any]) -> None:
    """Set the consensus and stopping rules; refused once round 1 has opened."""
    if study.is_frozen:
        raise InvalidTransition(study, "configure", _l(
            "The consensus and stopping rules were fixed when round 1 opened; they cannot change during a study."))
    clean = {key: values[key] for key in CONFIG_KEYS if key in values}
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


def _check_item(study: DelphiStudy, data: ItemData) -> None:
    base = study.base_language
    if data.kind not in set(ItemKind):
        raise DomainError(_l("Unknown kind of item."), field="kind")
    if not (data.texts.get(base) or "").strip():
        raise DomainError(_l("Write the question in the study's main language."), field=f"text_{base}")
    if data.kind == ItemKind.LIKERT:
        _check_scale(study, data)
    elif data.kind == ItemKind.NUMERIC:
        if data.min_value is not None and data.max_value is not None and data.min_value >= data.max_value:
            raise DomainError(_l("The lower bound must be smaller than the upper bound."), field="max_value")
    elif data.kind in (ItemKind.RANKING, ItemKind.CATEGORICAL):
        _check_options(study, data)


def _check_scale(study: DelphiStudy, data: ItemData) -> None:
    if data.scale_preset in SCALE_PRESETS:
        return
    if data.scale_preset != "custom":
        raise DomainError(_l("Choose a scale."), field="scale_preset")
    if data.scale_points not in CUSTOM_POINTS:
        raise DomainError(_l("Choose the number of points of the scale."), field="scale_points")
    base = study.base_language
    if not (data.low_labels.get(base) or "").strip() or not (data.high_labels.get(base) or "").strip():
        raise DomainError(_l("Label both ends of a custom scale in the study's main language."),
                          field=f"low_label_{base}")


def _check_options(study: DelphiStudy, data: ItemData) -> None:
    base = study.base_language
    main = [o for o in data.options.get(base, []) if o.strip()]
    if not 2 <= len(main) <= MAX_OPTIONS:
        raise DomainError(_l("List from 2 to %(n)s options, one per line, in the study's main language.",
                             n=MAX_OPTIONS), field=f"options_{base}")
    if len({o.strip().lower() for o in main}) != len(main):
        raise DomainError(_l("Two options have the same text."), field=f"options_{base}")
    for lang, texts in data.options.items():
        given = [o for o in texts if o.strip()]
        if given and len(given) != len(main):
            raise DomainError(_l("Give every option in this language too, in the same order, or leave it empty."),
                              field=f"options_{lang}")


def _apply_item(item: DelphiItem, data: ItemData, base: str) -> None:
    item.kind = data.kind
    for lang in LANGUAGES:
        setattr(item, f"text_{lang}", (data.texts.get(lang) or "").strip())
    item.scale_points = item.scale_preset = item.labels = item.options = item.unit = None
    item.min_value = item.max_value = None
    item.ratio_scale = True
    if data.kind == ItemKind.LIKERT:
        custom = data.scale_preset == "custom"
        item.scale_preset = data.scale_preset
        item.scale_points = data.scale_points if custom else SCALE_PRESETS[data.scale_preset][0]
        item.labels = {"low": _clean(data.low_labels), "high": _clean(data.high_labels)} if custom else None
    elif data.kind == ItemKind.NUMERIC:
        item.unit = (data.unit or "").strip()[:40] or None
        item.min_value, item.max_value, item.ratio_scale = data.min_value, data.max_value, bool(data.ratio_scale)
    elif data.kind in (ItemKind.RANKING, ItemKind.CATEGORICAL):
        main = [o.strip() for o in data.options[base] if o.strip()]
        per_lang = {lang: [o.strip() for o in data.options.get(lang, []) if o.strip()] for lang in LANGUAGES}
        item.options = [{"id": f"o{j + 1}", **{lang: (per_lang[lang][j] if per_lang[lang] else "")
                                               for lang in LANGUAGES}} for j in range(len(main))]


def _clean(texts: dict[str, str]) -> dict[str, str]:
    return {lang: (texts.get(lang) or "").strip() for lang in LANGUAGES}


def _item_audit(item: DelphiItem) -> dict[str, Any]:
    return {"code": item.code, "kind": item.kind}


def add_item(study: DelphiStudy, actor, data: ItemData, proposal: DelphiProposal | None = None) -> DelphiItem:
    """Add an item; it is asked from the next round that opens (optionally from a round-0 proposal)."""
    if study.is_finished:
        raise InvalidTransition(study, "add_item", _l("A finished study cannot be changed."))
    _check_item(study, data)
    numbers = [int(i.code[1:]) for i in study.items if i.code[1:].isdigit()]
    item = DelphiItem(study=study, code=f"Q{max(numbers, default=0) + 1}",
                      position=max((i.position for i in study.items), default=0) + 1)
    _apply_item(item, data, study.base_language)
    db.session.add(item)
    db.session.flush()
    if proposal is not None:
        proposal.status, proposal.item_id = ProposalStatus.ACCEPTED, item.id
    audit.record("delphi.add_item", study, actor=actor, after=_item_audit(item))
    return item


def _refuse_locked(item: DelphiItem) -> None:
    if item.is_locked:
        raise InvalidTransition(item, "edit", _l("This item was already asked in round %(n)s, so it can no longer "
                                                 "change. Add a new item instead.", n=item.first_round))


def update_item(item: DelphiItem, actor, data: ItemData) -> None:
    """Change an item that no round has asked yet."""
    _refuse_locked(item)
    _check_item(item.study, data)
    _apply_item(item, data, item.study.base_language)
    db.session.flush()
    audit.record("delphi.update_item", item.study, actor=actor, after=_item_audit(item))


def delete_item(item: DelphiItem, actor) -> None:
    """Remove an item that no round has asked yet."""
    _refuse_locked(item)
    study = item.study
    audit.record("delphi.delete_item", study, actor=actor, before=_item_audit(item))
    study.items.remove(item)
    db.session.flush()


def dismiss_proposal(proposal: DelphiProposal, actor) -> None:
    """Set aside a round-0 proposal (it stays visible to its author as not taken up)."""
    proposal.status = ProposalStatus.DISMISSED
    db.session.flush()
    audit.record("delphi.dismiss_proposal", object_type="delphi_proposals", object_id=proposal.id, actor=actor)


def _panel_users(study: DelphiStudy):
    return db.session.scalars(select(DelphiPanelist).where(DelphiPanelist.study_id == study.id)).all()


def finish_study(study: DelphiStudy, actor, now: datetime | None = None) -> None:
    """End the study after its last round; the reason is the last stopping decision (or the organiser's call)."""
    if study.is_finished:
        raise InvalidTransition(study, "finish", _l("The study is already finished."))
    if study.open_round is not None:
        raise InvalidTransition(study, "finish", _l("Close the open round first."))
    unpublished = [r.number for r in study.voting_rounds if r.status == RoundStatus.CLOSED]
    if unpublished:
        raise InvalidTransition(study, "finish", _l("Publish the feedback of round %(n)s first: the panel has not "
                                                    "seen it yet.", n=unpublished[0]))
    last = study.closed_rounds[-1] if study.closed_rounds else None
    decision = (last.stopping or {}).get("decision") if last else None
    study.status, study.finished_at = StudyStatus.FINISHED, now or utc_now()
    study.finish_reason = decision if decision and decision.startswith("stop") else "organiser_decision"
    db.session.flush()
    for panelist in _panel_users(study):
        notify(panelist.user, "delphi.finished", lambda: _l("The Delphi study \u201c%(title)s\u201d is finished",
                                                            title=study.title),
               lambda: _l("Thank you for taking part. The final results are on the study page."),
               link=study_path(study.id, "/results"))
    audit.record("delphi.finish_study", study, actor=actor, after={"reason": study.finish_reason})


def publish_results(study: DelphiStudy, actor, now: datetime | None = None) -> None:
    """Make the aggregated results public (and visible from the linked object)."""
    if not study.is_finished:
        raise InvalidTransition(study, "publish", _l("Results can be published once the study is finished."))
    if study.results_published:
        raise InvalidTransition(study, "publish", _l("The results are already public."))
    study.results_published_at = now or utc_now()
    db.session.flush()
    audit.record("delphi.publish_results", study, actor=actor)


def destroy_key(study: DelphiStudy, actor) -> None:
    """Crypto-shred the study's pseudonym key now (only after the study is finished)."""
    if not study.is_finished:
        raise InvalidTransition(study, "shred", _l("The anonymity key is needed until the study is finished."))
    if not pseudonyms.shred_key(study):
        raise InvalidTransition(study, "shred", _l("The anonymity key was already destroyed."))
    audit.record("delphi.shred_key", study, actor=actor)


def shred_expired_keys(retention_days: int, now: datetime | None = None) -> int:
    """Destroy the keys of studies finished more than ``retention_days`` ago. Returns how many were destroyed."""
    cutoff = (now or utc_now()) - timedelta(days=retention_days)
    studies = db.session.scalars(select(DelphiStudy).where(
        DelphiStudy.status == StudyStatus.FINISHED, DelphiStudy.finished_at <= cutoff,
        DelphiStudy.key_shredded_at.is_(None))).all()
    count = 0
    for study in studies:
        if pseudonyms.shred_key(study):
            audit.record("delphi.shred_key", study, after={"retention_days": retention_days})
            count += 1
    return count


def panel_size(study: DelphiStudy) -> int:
    return db.session.scalar(select(func.count()).select_from(DelphiPanelist)
                             .where(DelphiPanelist.study_id == study.id)) or 0
