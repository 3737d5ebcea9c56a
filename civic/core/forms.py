"""Form base classes. CSRF comes from Flask-WTF on every form; field errors are translated by WTForms/Babel."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Generic, NamedTuple, TypeVar
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField

from civic.core.errors import DomainError

T = TypeVar("T")

#: The zone a wall-clock time typed in a form means when the app has no BABEL_DEFAULT_TIMEZONE.
DEFAULT_TIMEZONE = "Asia/Almaty"


def platform_zone(tz_name: str | None = None) -> ZoneInfo:
    """The IANA zone of the platform (``BABEL_DEFAULT_TIMEZONE``, Asia/Almaty), as ``zoneinfo``.

    Never attach Flask-Babel's ``get_timezone()`` with ``replace(tzinfo=...)``: it is a pytz zone, whose first
    offset is the local mean time of 1900 (Almaty +5:08), so 18:00 was stored as 12:52 UTC and shown back as 17:52."""
    if tz_name is None:
        tz_name = current_app.config.get("BABEL_DEFAULT_TIMEZONE") if has_app_context() else None
    return ZoneInfo(tz_name or DEFAULT_TIMEZONE)


def to_utc(naive_local: datetime | None, tz_name: str | None = None) -> datetime | None:
    """A wall-clock date and time typed in the platform's zone, as an aware UTC datetime (None stays None).

    An aware value is already an instant and is only converted."""
    if naive_local is None:
        return None
    if naive_local.tzinfo is None:
        naive_local = naive_local.replace(tzinfo=platform_zone(tz_name))
    return naive_local.astimezone(UTC)


def to_local(instant: datetime | None, tz_name: str | None = None) -> datetime | None:
    """An aware instant as the naive wall-clock time of the platform's zone (what a form shows back)."""
    if instant is None:
        return None
    if instant.tzinfo is None:
        raise ValueError("to_local needs an aware datetime (stored times are UTC)")
    return instant.astimezone(platform_zone(tz_name)).replace(tzinfo=None)


class LocalDateTimeField(DateTimeLocalField):
    """``<input type="datetime-local">`` typed in the platform's time zone; ``data`` is an aware UTC datetime.

    Every form that takes a date and time uses this field, so that 18:00 typed in Almaty is stored as 13:00 UTC
    and an instant given as ``data``/``obj`` (UTC) is shown back as 18:00."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%dT%H:%M")
        super().__init__(*args, tz=platform_zone, **kwargs)

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)  # parses and attaches the zoneinfo zone
        if self.data is not None:
            self.data = self.data.astimezone(UTC)


class BaseForm(FlaskForm):
    """Flask-WTF form: CSRF token, and WTForms' own kk/ru messages through Flask-Babel's locale."""

    def add_domain_error(self, exc) -> None:
        """Show a service's DomainError next to the field it names, or as a form-level error."""
        field = getattr(self, exc.field, None) if getattr(exc, "field", None) else None
        if field is not None:
            field.errors = [*field.errors, str(exc)]
        else:
            self.form_errors.append(str(exc))


class Outcome(NamedTuple, Generic[T]):
    result: T | None
    refused: DomainError | None


def commit_or_refuse(action: Callable[[], T], *forms: BaseForm) -> Outcome[T]:
    """Run one service call for a submitted form and commit it: ``Outcome(result, refused=None)``.

    On a DomainError the request's transaction is rolled back, the error is shown on ``forms`` (next to the field it
    names, or above the form) and returned as ``Outcome(None, refused=error)``, so the view re-renders with
    ``error.status_code`` and nothing half-written stays in the database."""
    from civic import db

    try:
        result = action()
    except DomainError as exc:
        db.session.rollback()
        for form in forms:
            form.add_domain_error(exc)
        return Outcome(None, exc)
    db.session.commit()
    return Outcome(result, None)


class EmptyForm(BaseForm):
    """A bare POST button: carries only the CSRF token."""
