"""What the bureau's views share: loading with access checks, form pages, choices."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from civic import db
from civic.bureau.models import Case, Referral
from civic.bureau.services.catalog import bureau_categories
from civic.core.errors import DomainError
from civic.core.http import abort_domain
from civic.identity import audit
from civic.identity.directory import territory_choices


def refuse(obj) -> None:
    """Answer 404 (never confirming the item exists) and keep a record of the attempt in the audit log.

    The record is a transaction of its own (``db.transaction``): anything the request changed before is rolled back,
    only the audit record is committed. It is the one write a GET may make (tests/test_no_writes_on_get.py): a
    denied look at someone's case must leave a trace even when the request only reads."""
    object_type, object_id = type(obj).__tablename__, obj.id
    with db.transaction():
        audit.record(
            "bureau.access_denied",
            object_type=object_type,
            object_id=object_id,
            actor=current_user if current_user.is_authenticated else None,
            after={"path": request.path[:200], "method": request.method},
        )
    abort(404)


def load(model, ident: int, allowed) -> Case | Referral:
    """Load a case or referral; refuse (404, audited) when ``allowed(user, obj)`` is false."""
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    if not allowed(current_user, obj):
        refuse(obj)
    return obj


def done(message: str, target: str):
    """Commit the action, confirm it, and redirect (post/redirect/get)."""
    db.session.commit()
    flash(message, "success")
    return redirect(target)


def refused_status(exc: DomainError) -> int:
    """Roll back a refused action and give the status to answer with (403/404 abort at once)."""
    db.session.rollback()
    if exc.status_code in (403, 404):
        abort_domain(exc)
    flash(str(exc), "error")
    return exc.status_code


def form_errors_status(form) -> int:
    """Roll back after an invalid form; a missing CSRF token is a plain 400 page."""
    db.session.rollback()
    if "csrf_token" in form.errors:
        abort(400, description=_("The form has expired or was sent from another site. Reload the page and try again."))
    flash(_("Check what you entered and try again."), "error")
    return 400


def category_choices() -> list[tuple[int, str]]:
    return [(c.id, c.name) for c in bureau_categories()]


def territory_select() -> list[tuple[int, str]]:
    return territory_choices()


def case_url(case: Case, anchor: str = "") -> str:
    return url_for("bureau.case_detail", case_id=case.id) + (f"#{anchor}" if anchor else "")
