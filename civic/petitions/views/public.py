"""Browsing, the petition page, signing and withdrawing a signature."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from civic import db
from civic.core import charts, links
from civic.core.errors import DomainError, NotFound
from civic.core.forms import EmptyForm
from civic.core.http import client_ip, wants_json
from civic.core.i18n import format_day
from civic.db import utc_now
from civic.extensions import limited_in_view
from civic.identity.directory import territory_choices
from civic.identity.login import session_user_id, token_hash
from civic.identity.models import Territory
from civic.petitions import moderation, outlook, queries, rules, services, signing, tallies
from civic.petitions.forms import NotifyForm, ThresholdLevelForm
from civic.petitions.links import TYPE
from civic.petitions.models import Petition, PetitionState
from civic.petitions.permissions import CONFIGURE
from civic.petitions.views import bp
from civic.petitions.views.common import load_visible

S = PetitionState


@bp.get("/")
def index():
    """List public petitions with search, filters, sorting and pages."""
    filters = queries.PetitionFilters.from_args(request.args)
    petitions, has_next = queries.search(filters)
    pending = tallies.untallied_counts(p.id for p in petitions)
    counts = {p.id: p.signature_count + pending.get(p.id, 0) for p in petitions}
    territories, categories = territory_choices(), rules.petition_categories()
    return render_template(
        "petitions/list.html",
        petitions=petitions,
        counts=counts,
        filters=filters,
        has_next=has_next,
        territories=territories,
        categories=categories,
        sorts=queries.SORTS,
        page_sizes=queries.PAGE_SIZES,
        now=utc_now(),
        csv_args=_csv_args(filters, categories),
    )


def _csv_args(filters: queries.PetitionFilters, categories) -> dict:
    """The list's filters as the API expects them (territory and category by code)."""
    args = {"q": filters.q or None, "state": filters.state}
    if filters.territory_id:
        args["territory"] = db.session.scalar(select(Territory.code).where(Territory.id == filters.territory_id))
    args["category"] = next((c.code for c in categories if c.id == filters.category_id), None)
    return {key: value for key, value in args.items() if value}


@bp.get("/<int:petition_id>")
def detail(petition_id: int):
    """Show a petition: text, progress, figures by district and by day, the response or the rejection.

    Read only: the count is the tally plus the untallied signatures, and a petition past its closing time shows as
    closed until ``flask petitions close-expired`` closes it (docs/operations.md).
    """
    return render_detail(load_visible(petition_id))


def render_detail(petition: Petition, status: int = 200, sign_error: str | None = None):
    """Render the petition page (also after a refused signature, with the reason next to the button)."""
    now = utc_now()
    count = tallies.live_count(petition)
    own = signing.signature_of(petition.id, current_user.id) if current_user.is_authenticated else None
    areas = queries.signatures_by_area(petition) if petition.state in (S.OPEN, S.CLOSED) else []
    days = queries.signatures_by_day(petition) if petition.state in (S.OPEN, S.CLOSED) else []
    is_author = current_user.is_authenticated and petition.author_id == current_user.id
    can_moderate = moderation.can_moderate(current_user, petition)
    can_respond = services.can_respond(current_user, petition)
    context = dict(
        petition=petition,
        count=count,
        verified=tallies.verified_counts([petition.id])[petition.id],
        can_configure=current_user.is_authenticated and current_user.has_permission(CONFIGURE),
        threshold_form=ThresholdLevelForm(formdata=None, data={"threshold_level": petition.threshold_level}),
        own_signature=own,
        now=now,
        sign_error=sign_error,
        target=_next_threshold(petition),
        overdue_days=petition.response_overdue_days(now),
        days_left=_days_left(petition, now),
        cannot_sign=_why_not_signable(petition, now, staff=can_moderate or can_respond) if own is None else None,
        areas=areas,
        area_chart=charts.horizontal_bars([(name, n) for _id, name, n in areas]),
        days=days,
        day_chart=charts.columns([(format_day(day), n) for day, n in days]),
        sign_form=NotifyForm(),
        empty_form=EmptyForm(),
        can_moderate=can_moderate,
        can_respond=can_respond,
        is_author=is_author,
        territory_check=outlook.territory_check(current_user, petition.territory)
        if is_author and petition.state in (S.DRAFT, S.GATHERING_SUPPORTERS)
        else None,
        pace=outlook.signing_pace(petition, count, now) if is_author else None,
        eligible_residents=outlook.eligible_residents(petition.territory)
        if is_author and petition.state == S.OPEN
        else None,
        supporters=services.supporter_count(petition) if petition.state == S.GATHERING_SUPPORTERS else 0,
        supporters_needed=rules.settings().supporters_needed,
        similar=_similar_for_author(petition),
        related=links.related(TYPE, petition.id, current_user),
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


def _why_not_signable(petition: Petition, now, staff: bool = False) -> str | None:
    """The reason the viewer cannot sign, shown before the click instead of a button that would fail.

    ``"login"`` for visitors (they are asked to sign in, not told who may sign); ``"staff"`` for the petition's
    moderators and officials who may not sign it themselves (they see no button and no residents-only notice)."""
    if not petition.is_signable_at(now):
        return None
    if not current_user.is_authenticated:
        return "login"
    target = signing.signing_target(petition.id, current_user)
    try:
        signing.check_can_sign(target, current_user, now)
    except DomainError as exc:
        return "staff" if staff else str(exc)
    return None


def _similar_for_author(petition: Petition):
    if petition.state != S.DRAFT or not current_user.is_authenticated or petition.author_id != current_user.id:
        return []
    return services.similar_petitions(petition.title, petition.text, petition.territory, exclude_id=petition.id)


# --- signing: the hot path ----------------------------------------------------------------------------------------
@bp.post("/<int:petition_id>/sign")
@limited_in_view  # the per-account and per-IP limits are part of the signing INSERT (exact across workers)
def sign(petition_id: int):
    """Sign a petition: one guarded INSERT; JSON for scripts (petitions.js), a redirect for plain forms.

    The hot path signs straight from the session cookie: the INSERT itself checks the account (session version, not
    erased, IIN verified), so the user is loaded only to explain a refusal or to render a page. The INSERT is a
    transaction of its own (``db.statement_transaction``: a deferred BEGIN, so on SQLite the statement takes the
    write lock when it starts and holds it only until its COMMIT). CSRFProtect has already checked the token; the only
    field is a checkbox.
    """
    account = session_user_id()
    if account is None:
        if not current_user.is_authenticated:  # e.g. a remember-me cookie: Flask-Login restores the session
            return redirect(url_for("identity.login", next=url_for("petitions.detail", petition_id=petition_id)))
        account = (current_user.id, current_user.session_version, token_hash(current_user.session_token or ""))
    notify_me = bool(request.form.get("notify"))
    with db.statement_transaction() as connection:
        new_id, params = signing.insert_signature(
            petition_id, *account, ip=client_ip(), notify_me=notify_me, connection=connection
        )
    if new_id is None:
        return _sign_refused(petition_id, params)
    if wants_json():  # the live count, so that the page shows one number everywhere (total, threshold, bar)
        response = jsonify(status="signed", count=tallies.live_count_of(petition_id))
        response.headers["Cache-Control"] = "no-store"
        return response, 201
    flash(_("Thank you! Your signature was added."), "success")
    return redirect(url_for("petitions.detail", petition_id=petition_id), 303)


def _sign_refused(petition_id: int, params: dict):
    db.forget_earlier_reads()
    if not current_user.is_authenticated:  # the session names an account that logged out everywhere or was erased
        return redirect(url_for("identity.login", next=url_for("petitions.detail", petition_id=petition_id)))
    try:
        signing.explain_refusal(petition_id, current_user, params)
    except NotFound:
        abort(404)
    except DomainError as exc:
        already = isinstance(exc, signing.AlreadySigned)
        if wants_json():
            answer = jsonify(status="already_signed" if already else "refused", message=str(exc)), exc.status_code
        else:
            answer = render_detail(load_visible(petition_id), status=exc.status_code, sign_error=str(exc))
        db.end_reading()  # the refusal only read
        return answer
    abort(409)


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
