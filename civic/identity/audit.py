"""Writing the audit log. Services call ``record`` for every staff action; nothing ever edits a row."""

from __future__ import annotations

from dataclasses import dataclass

from flask import has_request_context, request
from flask_babel import gettext as _

from civic import db
from civic.identity.models import AuditEvent


def record(
    action: str,
    obj=None,
    *,
    actor=None,
    object_type: str | None = None,
    object_id=None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEvent:
    """Append one audit event. ``obj`` supplies type and id unless given explicitly. Never pass secrets or IINs."""
    if obj is not None:
        object_type = object_type or type(obj).__tablename__
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=object_type or "-",
        object_id=None if object_id is None else str(object_id),
        before=before,
        after=after,
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event)
    db.session.flush()
    return event


@dataclass(frozen=True)
class Change:
    """One field of an audit event, as shown to people: ``field: before → after`` (values already readable)."""

    field: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def _readable(value) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "\u2014"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | tuple | set):
        return ", ".join(_readable(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_readable(v)}" for k, v in value.items())
    return str(value)


def changes(before: dict | None, after: dict | None) -> list[Change]:
    """The fields an audit event changed, in the order they were recorded, with readable values.

    Fields whose value is the same before and after are left out, unless nothing changed at all (then every field is
    listed, so the event still says what it was about). A value that is not a dict is shown under the field "value".
    """
    before = before if isinstance(before, dict) else ({} if before is None else {"value": before})
    after = after if isinstance(after, dict) else ({} if after is None else {"value": after})
    fields = list(dict.fromkeys([*before, *after]))
    rows = [Change(str(f), _readable(before.get(f)), _readable(after.get(f))) for f in fields]
    return [row for row in rows if row.changed] or rows
