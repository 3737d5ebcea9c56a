"""A resident's own petitions: drafting, the supporters' link, withdrawing; "my petitions" and "my signatures"."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from civic import db
from civic.core.errors import DomainError
from civic.core.forms import EmptyForm, commit_or_refuse
from civic.core.http import form_page
from civic.extensions import limiter
from civic.identity.models import AssuranceLevel, Category, Territory
from civic.identity.permissions import require_level
from civic.petitions import queries, rules, services, signing, tallies
from civic.petitions.forms import NotifyForm, PetitionForm
from civic.petitions.models import Petition, PetitionState
from civic.petitions.views import bp
from civic.petitions.views.common import load_visible, set_petition_choices

S = PetitionState


def _chosen(form) -> tuple[Territory | None, Category | None]:
    territory = db.session.get(Territory, form.territory.data) if form.territory.data else None
    category = db.session.get(Category, form.category.data) if form.category.data else None
    return territory, category


@bp.route("/new", methods=["GET", "POST"])
@require_level(AssuranceLevel.EMAIL_VERIFIED)
@limiter.limit("10 per hour", methods=["POST"])
def new():
    """Write a new petition; it stays a private draft until the author submits it."""
    form = PetitionForm()
    set_petition_choices(form)
    if request.method == "GET":
        form.language.data = current_user.preferred_locale if current_user.preferred_locale in ("kk", "ru") else "kk"
        form.territory.data = current_user.home_territory_id or 0
    if form.validate_on_submit():
        try:
            petition = services.create_draft(
                current_user, form.title.data, form.text.data, *_chosen(form), language=form.language.data
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            db.session.commit()
            flash(_("Your draft is saved. Check it, look at similar petitions, then submit it."), "success")
            return redirect(url_for("petitions.detail", petition_id=petition.id))
    return form_page("petitions/edit.html", form, petition=None, supporters_needed=rules.settings().supporters_needed)


def _own_draft(petition_id: int) -> Petition:
    petition = load_visible(petition_id)
    if petition.author_id != current_user.id:
        abort(403)
    return petition


@bp.route("/<int:petition_id>/edit", methods=["GET", "POST"])
@login_required
def edit(petition_id: int):
    """Change a draft."""
    petition = _own_draft(petition_id)
    if petition.state != S.DRAFT:
        abort(409, description=_("Only a draft can be edited."))
    form = PetitionForm(obj=petition if request.method == "GET" else None)
    set_petition_choices(form)
    if request.method == "GET":
        form.territory.data, form.category.data = petition.territory_id, petition.category_id
    if form.validate_on_submit():
        try:
            services.update_draft(
                petition, current_user, form.title.data, form.text.data, *_chosen(form), language=form.language.data
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            db.session.commit()
            flash(_("Your changes are saved."), "success")
            return redirect(url_for("petitions.detail", petition_id=petition.id))
    return form_page(
        "petitions/edit.html", form, petition=petition, supporters_needed=rules.settings().supporters_needed
    )


def _author_action(petition_id: int, action, success: str):
    petition = _own_draft(petition_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        action(petition, current_user)
    except DomainError as exc:
        db.session.rollback()
        abort(exc.status_code, description=str(exc))
    db.session.commit()
    flash(success, "success")
    return redirect(url_for("petitions.detail", petition_id=petition_id), 303)


@bp.post("/<int:petition_id>/submit")
@login_required
def submit(petition_id: int):
    """Freeze the draft and open its private link for supporters."""
    return _author_action(
        petition_id,
        services.submit_for_supporters,
        _("Your petition is submitted. Share the private link with people who support it."),
    )


@bp.route("/<int:petition_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(petition_id: int):
    """Withdraw one's petition before it opens (GET: the confirmation step; it cannot be undone)."""
    if request.method == "GET":
        petition = _own_draft(petition_id)
        if petition.state not in (S.DRAFT, S.GATHERING_SUPPORTERS, S.AWAITING_MODERATION):
            abort(409, description=_("Only a petition that is not open yet can be withdrawn."))
        return render_template(
            "petitions/withdraw.html",
            petition=petition,
            form=EmptyForm(),
            supporters=services.supporter_count(petition),
        )
    return _author_action(petition_id, services.withdraw, _("Your petition was withdrawn."))


def _by_token(token: str) -> Petition:
    petition = db.session.scalar(select(Petition).where(Petition.supporter_token == token))
    if petition is None or petition.state in (S.DRAFT, S.WITHDRAWN, S.HIDDEN):
        abort(404)
    return petition


@bp.get("/support/<token>")
def supporters_page(token: str):
    """The private page the author shares: read the petition and back it."""
    petition = _by_token(token)
    return _supporters_page(petition, NotifyForm())


def _supporters_page(petition: Petition, form, status: int = 200):
    supported = (
        current_user.is_authenticated
        and db.session.scalar(
            select(services.PetitionSupporter.id).where(
                services.PetitionSupporter.petition_id == petition.id,
                services.PetitionSupporter.user_id == current_user.id,
            )
        )
        is not None
    )
    return render_template(
        "petitions/support.html",
        petition=petition,
        form=form,
        supported=supported,
        cannot_support=_why_not_supportable(petition) if not supported else None,
        supporters=services.supporter_count(petition),
        supporters_needed=rules.settings().supporters_needed,
    ), status


def _why_not_supportable(petition: Petition) -> str | None:
    """Why the signed-in viewer may not back the petition, shown before the click (None: they may)."""
    if not current_user.is_authenticated or petition.state != S.GATHERING_SUPPORTERS:
        return None
    if petition.author_id == current_user.id:
        return _("You wrote this petition: share the link with others.")
    home = current_user.home_territory.path if current_user.home_territory else None
    try:
        signing.check_eligibility(current_user, petition.territory.path, home, rules.settings().residence_required)
    except DomainError as exc:
        return str(exc)
    return None


@bp.post("/support/<token>")
@login_required
@limiter.limit("20 per hour")
def support(token: str):
    """Back a petition through its private link."""
    petition = _by_token(token)
    form = NotifyForm()
    if not form.validate_on_submit():
        abort(400)
    refused = commit_or_refuse(
        lambda: services.support(petition, current_user, notify_me=form.notify.data), form
    ).refused
    if refused:
        return _supporters_page(_by_token(token), form, status=refused.status_code)
    flash(_("Thank you for your support!"), "success")
    return redirect(url_for("petitions.supporters_page", token=token), 303)


@bp.get("/mine")
@login_required
def mine():
    """The petitions I started, in every state."""
    petitions = queries.authored_by(current_user)
    pending = tallies.untallied_counts(p.id for p in petitions)
    return render_template(
        "petitions/mine.html",
        petitions=petitions,
        counts={p.id: p.signature_count + pending.get(p.id, 0) for p in petitions},
    )


@bp.get("/signed")
@login_required
def signed():
    """The petitions I signed, with the state of each signature."""
    return render_template("petitions/signed.html", rows=queries.signed_by(current_user))
