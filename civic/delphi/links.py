"""Paths into the module (services run outside requests too, e.g. from the CLI, so no url_for there) and what the
module gives the link registry (``civic.core.links``): studies as a linkable type, and the published studies linked
to another module's object as "related items" of that object."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from civic import db
from civic.core import links
from civic.core.links import Link, LinkRegistry
from civic.delphi.models import DelphiStudy
from civic.delphi.permissions import can_manage, can_view

STUDY_TYPE = "delphi_study"


def study_path(study_id: int, suffix: str = "") -> str:
    return f"/delphi/{study_id}{suffix}"


def answer_path(study_id: int, number: int) -> str:
    return study_path(study_id, f"/rounds/{number}/answer")


def feedback_path(study_id: int, number: int) -> str:
    return study_path(study_id, f"/rounds/{number}/feedback")


def manage_path(study_id: int) -> str:
    return study_path(study_id, "/manage")


def linked_object(study, user=None) -> Link | None:
    """The object the study is linked to, as ``user`` (None: the public) may see it; None if there is none, its
    module is switched off, or it is hidden from ``user``."""
    if not study.linked_object_type or study.linked_object_id is None:
        return None
    return links.resolve(study.linked_object_type, study.linked_object_id, user or AnonymousUserMixin())


def link_choices() -> list[tuple[str, object]]:
    """The kinds of object a study can be linked to: every registered type but studies themselves."""
    return links.registry().choices(exclude=(STUDY_TYPE,))


# --- registration ---------------------------------------------------------------------------------------------------
def _study(study_id: int):
    return db.session.get(DelphiStudy, study_id)


def _visible(user, study_id: int) -> bool:
    study = _study(study_id)
    return study is not None and can_view(user, study)


def _title(study_id: int) -> str | None:
    study = _study(study_id)
    return study.title if study is not None else None


def related_studies(object_type: str, object_id: int, user) -> list[Link]:
    """Studies linked to the object whose results are published; to their organisers also the studies still running
    (they lead to the organiser's workspace), so a study started from another module's page shows up there at once."""
    studies = db.session.scalars(
        select(DelphiStudy)
        .where(DelphiStudy.linked_object_type == object_type, DelphiStudy.linked_object_id == object_id)
        .order_by(DelphiStudy.id)
    ).all()
    label = str(_l("Expert panel (Delphi) study"))
    found = []
    for s in studies:
        if s.results_published_at is not None:
            found.append(Link(STUDY_TYPE, s.id, label, study_path(s.id, "/results"), s.title))
        elif can_manage(user, s):
            found.append(Link(STUDY_TYPE, s.id, label, manage_path(s.id), s.title))
    return found


def register_links(registry: LinkRegistry) -> None:
    registry.register_type(
        STUDY_TYPE, _l("Expert panel (Delphi) study"), lambda i: study_path(i), _visible, title_loader=_title
    )
    registry.register_related("delphi", related_studies)
