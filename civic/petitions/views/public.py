"""Browsing, the petition page, signing and withdrawing a signature."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from civic import db
from civic.core.errors import DomainError
from civic.core.forms import EmptyForm
from civic.core.http import client_ip
from civic.db import utc_now
from civic.extensions import limiter
from civic.identity.directory import territory_choices
from civic.identity.models import Territory
from civic.petitions import charts, moderation, queries, rules, services, signing
from civic.petitions.forms import NotifyForm
from civic.petitions.models import Petition, PetitionState
from civic.petitions.views.common import bp, load_visible, refresh_if_stale, wants_json

S = PetitionState


@bp.get("/")
def index():
    """List public petitions with search, filters, sorting and pages."""
    filters = queries.PetitionFilters.from_args(request.args)
    petitions, has_next = queries.search(filters)
    pending = signing.untallied_counts(p.id for p in petitions)
    counts = {p.id: p.signature_count + pending.get(p.id, 0) for p in petitions}
    territories, categories = territory_choices(), rules.petition_categories()
    return render_template("petitions/list.html", petitions=petitions, counts=counts, filters=filters,
                           has_next=has_next, territories=territories, categories=categories,
                           sorts=queries.SORTS, page_sizes=queries.PAGE_SIZES, now=utc_now(),
                           csv_args=_csv_args(filters, categories))


def _csv_args(filters: queries.PetitionFilters, categories) -> dict:
    """The list's filters as the API expects them (territory and category by code)."""
    args = {"q": filters.q or None, "state": filters.state, "sort": filters.sort}
    if filters.territory_id:
        args["territory"] = db.session.scalar(select(Territory.code).where(Territory.id == filters.territory_id))
    args["category"] = next((c.code for c in categories if c.id == filters.category_id), None)
    return {key: value for key, value in args.items() if value}


@bp.get("/<int:petition_id>")
def detail(petition_id: int):
    """Show a petition: text, progress, figures by district and by day, the response or the rejection."""
    petition = refresh_if_stale(load_visible(petition_id))
    return render_detail(petition)


def render_detail(petition: Petition, status: int = 200, sign_error: str | None = None):
    """Render the petition page (also after a refused signature, with the reason next to the button)."""
    now = utc_now()
    count = signing.live_count(petition)
    own = signing.signature_of(petition.id, current_user.id) if current_user.is_authenticated else None
    areas = queries.signatures_by_area(petition) if petition.state in (S.OPEN, S.CLOSED) else []
    days = queries.signatures_by_day(petition) if petition.state in (S.OPEN, S.CLOSED) else []
    context = dict(
        petition=petition, count=count, own_signature=own, now=now, sign_error=sign_error,
        target=_next_threshold(petition), overdue_days=petition.response_overdue_days(now),
        days_left=_days_left(petition, now), cannot_sign=_why_not_signable(petition, now) if own is None else None,
        areas=areas, area_chart=charts.horizontal_bars([(name, n) for _id, name, n in areas]),
        days=days, day_chart=charts.daily_columns(days), sign_form=NotifyForm(), empty_form=EmptyForm(),
        can_moderate=moderation.can_moderate(current_user, petition),
        can_respond=services.can_respond(current_user, petition),
        is_author=current_user.is_authenticated and petition.author_id == current_user.id,
        supporters=services.supporter_count(petition) if petition.state == S.GATHERING_SUPPORTERS else 0,
        supporters_needed=rules.settings().supporters_needed,
        similar=_similar_for_author(petition),
    )
    return render_template("petitions/detail.html", **context), status


def _next_threshold(petition: Petition) -> tuple[str, int] | None:
    if petition.response_threshold and petition.response_threshold_reached_at is None:
        return "response", petition.response_threshold
    if petition.hearing_threshold:
        return "hearing", petition.hearing_threshold
    return None


def _days_left(petition: Petition, now) -> int | None:
    if not petition.is_signable_at(now):
        return None
    return -(-(petition.closes_at - now).total_seconds() // 86400)


def _why_not_signable(petition: Petition, now) -> str | None:
    """The reason the viewer cannot sign, shown instead of a button that would fail."""
    if not petition.is_signable_at(now):
        return None
    if not current_user.is_authenticated:
        return "login"
    target = signing.signing_target(petition.id, current_user)
    try:
        signing.check_can_sign(target, current_user, now)
    except DomainError as exc:
        return str(exc)
    return None


def _similar_for_author(petition: Petition):
    if petition.state != S.DRAFT or not current_user.is_authenticated or petition.author_id != current_user.id:
        return []
    return services.similar_petitions(petition.title, petition.text, petition.territory, exclude_id=petition.id)


# --- signing: the hot path ----------------------------------------------------------------------------------------
def _account_key() -> str:
    """Rate-limit key per account, read from the signed session cookie (no database query before the limit)."""
    from flask import session

    return f"account:{session.get('_user_id') or client_ip()}"


def _sign_limit_per_account() -> str:
    from flask import current_app

    return current_app.config.get("PETITIONS_SIGN_LIMIT_PER_ACCOUNT", "10 per minute;100 per day")


def _sign_limit_per_ip() -> str:
    from flask import current_app

    return current_app.config.get("PETITIONS_SIGN_LIMIT_PER_IP", "120 per minute;2000 per hour")


@bp.before_request
def _read_before_writing():
    """Signing reads in a plain transaction; on SQLite only its INSERT holds the write lock (see ``sign``)."""
    if request.endpoint == "petitions.sign":
        db.write_intent.set(False)


@bp.post("/<int:petition_id>/sign")
@limiter.limit(_sign_limit_per_account, key_func=_account_key)
@limiter.limit(_sign_limit_per_ip)
def sign(petition_id: int):
    """Sign a petition: one guarded INSERT; JSON for scripts (petitions.js), a redirect for plain forms."""
    if not current_user.is_authenticated:
        return redirect(url_for("identity.login", next=url_for("petitions.detail", petition_id=petition_id)))
    if not NotifyForm().validate_on_submit():
        abort(400)
    target = signing.signing_target(petition_id, current_user)
    if target is None:
        abort(404)
    try:
        signing.check_can_sign(target, current_user, utc_now())
        _end_read_transaction()
        signing.sign(target, current_user, ip=client_ip(), notify_me=bool(request.form.get("notify")))
    except DomainError as exc:
        db.session.rollback()
        return _sign_refused(petition_id, exc)
    db.session.commit()
    message = _("Thank you! Your signature was added.")
    if wants_json():
        return jsonify(status="signed", message=message), 201
    flash(message, "success")
    return redirect(url_for("petitions.detail", petition_id=petition_id), 303)


def _end_read_transaction() -> None:
    """On SQLite, finish the reads so the INSERT's transaction starts with BEGIN IMMEDIATE and holds the lock briefly."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.commit()
        db.write_intent.set(True)


def _sign_refused(petition_id: int, exc: DomainError):
    status = 409 if isinstance(exc, signing.AlreadySigned) else exc.status_code
    if wants_json():
        return jsonify(status="already_signed" if status == 409 else "refused", message=str(exc)), status
    return render_detail(load_visible(petition_id), status=status, sign_error=str(exc))


@bp.post("/<int:petition_id>/unsign")
def unsign(petition_id: int):
    """Withdraw one's signature while the petition is open."""
    if not current_user.is_authenticated:
        return redirect(url_for("identity.login", next=url_for("petitions.detail", petition_id=petition_id)))
    petition = load_visible(petition_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        signing.withdraw_signature(petition, current_user)
    except DomainError as exc:
        db.session.rollback()
        return render_detail(petition, status=exc.status_code, sign_error=str(exc))
    db.session.commit()
    flash(_("Your signature was withdrawn."), "info")
    return redirect(url_for("petitions.detail", petition_id=petition_id), 303)
