"""Staff pages: the moderation queue and decisions, the integrity view, and the officials' responses."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from civic import db
from civic.core import jobs
from civic.core.errors import DomainError
from civic.core.forms import commit_or_refuse
from civic.core.http import form_page, get_or_404
from civic.db import utc_now
from civic.identity.models import StateBody
from civic.identity.permissions import require_permission
from civic.petitions import answer_deadline, moderation, outlook, queries, rules, services, tallies
from civic.petitions import integrity as signature_integrity
from civic.petitions.forms import (
    ApproveForm,
    ExtendResponseForm,
    HideForm,
    InvalidateForm,
    RejectForm,
    RerouteForm,
    ResponseForm,
    RestoreForm,
)
from civic.petitions.models import Petition, PetitionInvalidation, PetitionState
from civic.petitions.permissions import MODERATE, RESPOND
from civic.petitions.views import bp
from civic.petitions.views.common import body_choices, load_visible

S = PetitionState


@bp.get("/moderation")
@require_permission(MODERATE)
def moderation_queue():
    """Petitions awaiting moderation, oldest first, marked nearly overdue (day 11) and overdue (day 14)."""
    now = utc_now()
    petitions = queries.moderation_queue(current_user)
    markers = {p.id: queries.moderation_marker(p, now) for p in petitions}
    return render_template(
        "petitions/moderation_queue.html",
        petitions=petitions,
        markers=markers,
        now=now,
        nearly_days=rules.NEARLY_OVERDUE_DAYS,
        overdue_days=rules.OVERDUE_DAYS,
    )


def _moderated(petition_id: int) -> Petition:
    petition = load_visible(petition_id)
    if not moderation.can_moderate(current_user, petition):
        abort(403)
    return petition


def _decision_forms(petition: Petition):
    approve, reroute = ApproveForm(prefix="approve"), RerouteForm(prefix="route")
    approve.state_body.choices = reroute.state_body.choices = body_choices()
    if request.method == "GET":
        routed = petition.state_body or outlook.suggested_body(petition)[0]
        approve.state_body.data = reroute.state_body.data = getattr(routed, "id", None)
    return {
        "approve_form": approve,
        "reject_form": RejectForm(prefix="reject"),
        "hide_form": HideForm(prefix="hide"),
        "restore_form": RestoreForm(prefix="restore"),
        "route_form": reroute,
    }


def _moderation_page(petition: Petition, status: int = 200, **forms):
    context = {**_decision_forms(petition), **forms}
    similar = services.similar_petitions(petition.title, petition.text, petition.territory, exclude_id=petition.id)
    suggested, reason = outlook.suggested_body(petition)
    return render_template(
        "petitions/moderate.html",
        petition=petition,
        suggested_body=suggested,
        suggestion_reason=reason,
        similar=similar,
        marker=queries.moderation_marker(petition, utc_now()),
        supporters=services.supporter_count(petition),
        **context,
    ), status


@bp.get("/<int:petition_id>/moderate")
@require_permission(MODERATE)
def moderate(petition_id: int):
    """One petition with the decisions a moderator can take."""
    return _moderation_page(_moderated(petition_id))


def _decide(petition: Petition, form, form_name: str, action, message: str):
    if not form.validate_on_submit():
        return _moderation_page(petition, 400, **{form_name: form})
    refused = commit_or_refuse(lambda: action(), form).refused
    if refused:
        return _moderation_page(load_visible(petition.id), refused.status_code, **{form_name: form})
    flash(message, "success")
    return redirect(url_for("petitions.detail", petition_id=petition.id), 303)


@bp.post("/<int:petition_id>/approve")
@require_permission(MODERATE)
def approve(petition_id: int):
    """Publish the petition for signatures, routed to the chosen body."""
    petition = _moderated(petition_id)
    form = _decision_forms(petition)["approve_form"]
    body = db.session.get(StateBody, form.state_body.data or 0)
    return _decide(
        petition,
        form,
        "approve_form",
        lambda: moderation.approve(petition, current_user, body),
        _("The petition is open for signatures."),
    )


@bp.post("/<int:petition_id>/reject")
@require_permission(MODERATE)
def reject(petition_id: int):
    """Reject the petition with a coded reason and an explanation (offensive ones are hidden)."""
    petition = _moderated(petition_id)
    form = RejectForm(prefix="reject")
    original = db.session.get(Petition, form.duplicate_of.data) if form.duplicate_of.data else None
    return _decide(
        petition,
        form,
        "reject_form",
        lambda: moderation.reject(petition, current_user, form.code.data, form.details.data, duplicate_of=original),
        _("The decision is saved."),
    )


@bp.post("/<int:petition_id>/hide")
@require_permission(MODERATE)
def hide(petition_id: int):
    """Take an offensive or defamatory petition off the public site."""
    petition = _moderated(petition_id)
    form = HideForm(prefix="hide")
    return _decide(
        petition,
        form,
        "hide_form",
        lambda: moderation.hide(petition, current_user, form.details.data),
        _("The petition is hidden."),
    )


@bp.post("/<int:petition_id>/restore")
@require_permission(MODERATE)
def restore(petition_id: int):
    """Bring a hidden petition back to the state it was hidden from."""
    petition = _moderated(petition_id)
    form = RestoreForm(prefix="restore")
    return _decide(
        petition,
        form,
        "restore_form",
        lambda: moderation.restore(petition, current_user, form.details.data),
        _("The petition is restored."),
    )


@bp.post("/<int:petition_id>/route")
@require_permission(MODERATE)
def reroute(petition_id: int):
    """Send the petition to another state body."""
    petition = _moderated(petition_id)
    form = _decision_forms(petition)["route_form"]
    body = db.session.get(StateBody, form.state_body.data or 0)
    if body is None and form.validate_on_submit():
        abort(400)
    return _decide(
        petition,
        form,
        "route_form",
        lambda: moderation.reroute(petition, current_user, body),
        _("The petition was routed."),
    )


# --- integrity ----------------------------------------------------------------------------------------------------
HOURS = (1, 24, 168)


@bp.get("/integrity")
@require_permission(MODERATE)
def integrity():
    """Trending signatures by IP and email domain across the moderator's open petitions."""
    hours = request.args.get("hours", 1, type=int)
    hours = hours if hours in HOURS else 1
    ids = queries.moderated_petition_ids(current_user)
    groups = signature_integrity.trending(ids, utc_now() - timedelta(hours=hours), min_count=3)
    shown = {row.petition_id for rows in groups.values() for row in rows}
    titles = dict(db.session.execute(select(Petition.id, Petition.title).where(Petition.id.in_(shown))).all())
    return render_template("petitions/integrity.html", groups=groups, titles=titles, hours=hours, choices=HOURS)


def _invalidate_form(petition: Petition) -> InvalidateForm:
    form = InvalidateForm()
    groups = signature_integrity.trending([petition.id], utc_now() - timedelta(days=400), min_count=1)
    form.ips.choices = [(row.value, f"{row.value} ({row.n})") for row in groups["ip"]]
    form.domains.choices = [(row.value, f"{row.value} ({row.n})") for row in groups["domain"]]
    return form


@bp.route("/<int:petition_id>/integrity", methods=["GET", "POST"])
@require_permission(MODERATE)
def petition_integrity(petition_id: int):
    """A petition's signature sources, and invalidation of a selected set with a recorded reason."""
    petition = _moderated(petition_id)
    form = _invalidate_form(petition)
    if form.validate_on_submit():
        now = utc_now()
        try:
            record = moderation.invalidate(
                petition,
                current_user,
                ips=form.ips.data,
                domains=form.domains.data,
                since=now - timedelta(hours=form.hours.data),
                until=now,
                reason=form.reason.data,
            )
        except DomainError as exc:
            db.session.rollback()
            form.add_domain_error(exc)
        else:
            db.session.commit()
            flash(_("%(n)s signatures were invalidated.", n=record.invalidated_count), "success")
            return redirect(url_for("petitions.petition_integrity", petition_id=petition_id), 303)
    history = db.session.scalars(
        select(PetitionInvalidation)
        .where(PetitionInvalidation.petition_id == petition.id)
        .order_by(PetitionInvalidation.id.desc())
    ).all()
    return form_page(
        "petitions/petition_integrity.html",
        form,
        petition=petition,
        history=history,
        count=tallies.live_count(petition),
    )


# --- official responses -------------------------------------------------------------------------------------------
@bp.get("/awaiting-response")
@require_permission(RESPOND)
def awaiting_response():
    """Petitions routed to my body that still need the official response."""
    now = utc_now()
    petitions = queries.awaiting_response(current_user)
    return render_template(
        "petitions/awaiting.html", petitions=petitions, now=now, counts={p.id: tallies.live_count(p) for p in petitions}
    )


@bp.route("/<int:petition_id>/respond", methods=["GET", "POST"])
@require_permission(RESPOND)
def respond(petition_id: int):
    """Write or correct the official response (rich text, sanitised when shown)."""
    petition = get_or_404(Petition, petition_id)
    if not services.can_respond(current_user, petition):
        abort(403)
    form = ResponseForm(data={"text": petition.response_text or ""})
    if form.validate_on_submit() and request.form.get("edit"):
        return _respond_page(petition, form)  # back from the preview to the editor, the text kept
    if form.validate_on_submit() and form.confirmed.data != "1":
        return _respond_page(petition, form, preview=True)  # the confirmation step: see it as the public will
    if form.validate_on_submit():
        try:
            services.publish_response(petition, current_user, form.text.data)
            jobs.enqueue("civic.petitions.services:notify_signers_job", petition.id, 200)  # after commit
        except DomainError as exc:
            db.session.rollback()
            form.add_domain_error(exc)
        else:
            db.session.commit()
            flash(_("The response is published."), "success")
            return redirect(url_for("petitions.detail", petition_id=petition_id), 303)
    return _respond_page(petition, form)


def _respond_page(petition: Petition, form=None, extend_form=None, status: int | None = None, preview: bool = False):
    """The official's page: the petition, the response form and, while the term runs, the one extension; with
    ``preview``, the confirmation step: the response as it will be published, and what publishing does."""
    form = form or ResponseForm(data={"text": petition.response_text or ""})
    extend_form = extend_form or ExtendResponseForm(prefix="extend")
    if status is None:
        errors = form.errors or form.form_errors or extend_form.errors or extend_form.form_errors
        status = 400 if request.method == "POST" and errors else 200
    return render_template(
        "petitions/respond.html",
        form=form,
        preview=preview,
        signers_told=services.signers_to_notify(petition) if preview and not petition.responded_at else 0,
        extend_form=extend_form,
        petition=petition,
        count=tallies.live_count(petition),
        can_extend=answer_deadline.can_extend(current_user, petition),
    ), status


@bp.post("/<int:petition_id>/extend-response")
@require_permission(RESPOND)
def extend_response(petition_id: int):
    """Extend the answer term once to 30 days, for a typed reason with a public note."""
    petition = get_or_404(Petition, petition_id)
    if not services.can_respond(current_user, petition):
        abort(403)
    form = ExtendResponseForm(prefix="extend")
    if form.validate_on_submit():
        refused = commit_or_refuse(
            lambda: answer_deadline.extend(petition, current_user, form.reason.data, form.note.data), form
        ).refused
        if refused:
            return _respond_page(get_or_404(Petition, petition_id), extend_form=form, status=refused.status_code)
        flash(_("The answer term is extended; the new due date is on the petition page."), "success")
        return redirect(url_for("petitions.detail", petition_id=petition_id), 303)
    return _respond_page(petition, extend_form=form)
