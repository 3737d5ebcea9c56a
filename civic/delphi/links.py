"""Paths into the module (services run outside requests too, e.g. from the CLI, so no url_for there) and the
generic registry of objects a study can be linked to."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

#: object type -> (label, URL pattern). Other modules' pages are reached by URL only: no import of those modules.
LINK_TYPES: dict[str, tuple[object, str]] = {
    "petition": (_l("Petition"), "/petitions/{id}"),
}


def register_link_type(name: str, label, pattern: str) -> None:
    """Let a module (councils, cases, ...) make its objects linkable: ``register_link_type("case", _l("Case"), "/cases/{id}")``."""
    LINK_TYPES[name] = (label, pattern)


def linked_object(study) -> dict | None:
    """{"label", "url", "type", "id"} for the study's linked object, or None."""
    if not study.linked_object_type or study.linked_object_id is None:
        return None
    label, pattern = LINK_TYPES.get(study.linked_object_type, (study.linked_object_type, None))
    url = pattern.format(id=study.linked_object_id) if pattern else None
    return {"type": study.linked_object_type, "id": study.linked_object_id, "label": str(label), "url": url}


def study_path(study_id: int, suffix: str = "") -> str:
    return f"/delphi/{study_id}{suffix}"


def answer_path(study_id: int, number: int) -> str:
    return study_path(study_id, f"/rounds/{number}/answer")


def feedback_path(study_id: int, number: int) -> str:
    return study_path(study_id, f"/rounds/{number}/feedback")


def manage_path(study_id: int) -> str:
    return study_path(study_id, "/manage")
