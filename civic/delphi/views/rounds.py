"""The organiser's round actions: open, remind, extend, close, review justifications and proposals, publish."""

from __future__ import annotations

import random

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from civic import db
from civic.core.errors import DomainError
from civic.core.forms import EmptyForm
from civic.delphi import services
from civic.delphi.forms import ConfirmForm, DeadlineForm, OpenRoundForm
from civic.delphi.models import DelphiAnswer, DelphiParticipation, DelphiProposal, ProposalStatus
from civic.delphi.views import bp, load_round, managed_study
from civic.delphi.views.organiser import confirm_page, manage_context, refused
from civic.extensions import limiter


@bp.post("/<int:study_id>/rounds/open")
@login_required
def open_round(study_id: int):
    """Open the next round (round 1 freezes the panel and the rules)."""
    study = managed_study(study_id)
    form = OpenRoundForm()
    if not form.validate_on_submit():
        flash(_("Choose a valid deadline."), "error")
        return render_template("delphi/manage.html", **{**manage_context(study), "open_form": form}), 400
    try:
        rnd = services.open_round(study, current_user, form.deadline.data, proposals=form.proposals.data)
    except DomainError as exc:
        return refused(study, exc)
    db.session.commit()
    flash(_("Round %(n)s is open. The panel was notified.", n=rnd.number), "success")
    return redirect(url_for("delphi.manage", study_id=study.id))


def round_action(study_id: int, number: int, action, message: str):
    study = managed_study(study_id)
    rnd = load_round(study, number)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        result = action(rnd)
    except DomainError as exc:
        return refused(study, exc)
    db.session.commit()
    flash(message if result is None else message % {"n": result}, "success")
    return redirect(url_for("delphi.manage", study_id=study.id))


def _submitted(rnd) -> int:
    """How many panelists submitted the round (a count, never who)."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(DelphiParticipation)
            .where(DelphiParticipation.round_id == rnd.id, DelphiParticipation.submitted.is_(True))
        )
        or 0
    )


def _close_page(study, rnd, form, submitted: int, status: int = 200):
    if rnd.is_proposals:
        effects = [
            _("Panelists can no longer propose items or withdraw their proposals."),
            _("%(done)s of %(invited)s panelists have made a proposal.", done=submitted, invited=rnd.invited_count),
        ]
    else:
        effects = [
            _(
                "%(done)s of %(invited)s panelists have submitted their answers.",
                done=submitted,
                invited=rnd.invited_count,
            ),
            _("Panelists can no longer answer or change their answers. Unsubmitted drafts are discarded."),
            _(
                "The statistics of the round are computed and stored; you then review the reasons and publish the feedback."
            ),
        ]
    warning = None
    if submitted == 0:
        warning = _(
            "Nobody has answered this round yet (0 answers). Closed now, it stays empty: no statistic can be shown, "
            "and it still counts as one of the study's rounds. Consider extending the deadline or reminding the panel."
        )
    return confirm_page(
        study,
        form,
        heading=_("Close round %(n)s now", n=rnd.number),
        effects=effects,
        button=_("Close the round now"),
        action=url_for("delphi.close_round", study_id=study.id, number=rnd.number),
        warning=warning,
        blocked=None if rnd.is_open else _("Round %(n)s is not open.", n=rnd.number),
        status=status,
    )


@bp.route("/<int:study_id>/rounds/<int:number>/close", methods=["GET", "POST"])
@login_required
def close_round(study_id: int, number: int):
    """Close a round now: the statistics are computed and stored (GET: the confirmation step, with the number of
    answers; closing a round nobody answered needs the "I understand" box)."""
    study = managed_study(study_id)
    rnd = load_round(study, number)
    form = ConfirmForm()
    submitted = _submitted(rnd)
    if request.method == "GET":
        return _close_page(study, rnd, form, submitted)
    if not form.validate_on_submit():
        abort(400)
    if rnd.is_open and submitted == 0 and not form.understood.data:
        form.understood.errors = [_("Tick this box to close a round that nobody answered.")]
        return _close_page(study, rnd, form, submitted, status=400)
    try:
        services.close_round(rnd, current_user)
    except DomainError as exc:
        return refused(study, exc)
    db.session.commit()
    flash(_("The round is closed and analysed. Review the justifications, then publish the feedback."), "success")
    return redirect(url_for("delphi.manage", study_id=study.id))


@bp.post("/<int:study_id>/rounds/<int:number>/remind")
@login_required
@limiter.limit("10 per hour")
def remind(study_id: int, number: int):
    """Remind the panelists who have not submitted yet."""
    return round_action(
        study_id,
        number,
        lambda r: services.remind_non_responders(r, current_user),
        _("%(n)s panelists who have not answered yet were reminded."),
    )


@bp.post("/<int:study_id>/rounds/<int:number>/extend")
@login_required
def extend(study_id: int, number: int):
    """Move the deadline of the open round later."""
    study = managed_study(study_id)
    rnd = load_round(study, number)
    form = DeadlineForm()
    if not form.validate_on_submit():
        flash(_("Choose a valid deadline."), "error")
        return render_template("delphi/manage.html", **{**manage_context(study), "deadline_form": form}), 400
    try:
        services.extend_deadline(rnd, current_user, form.deadline.data)
    except DomainError as exc:
        return refused(study, exc)
    db.session.commit()
    flash(_("The deadline is moved."), "success")
    return redirect(url_for("delphi.manage", study_id=study.id))


@bp.post("/<int:study_id>/rounds/<int:number>/publish")
@login_required
def publish(study_id: int, number: int):
    """Publish the round's feedback to the panel."""
    return round_action(
        study_id,
        number,
        lambda r: services.publish_feedback(r, current_user),
        _("The feedback is published; the panel was notified."),
    )


@bp.get("/<int:study_id>/rounds/<int:number>/justifications")
@login_required
def justifications(study_id: int, number: int):
    """Review the round's justifications: anonymous, per item, in random order; hide self-identifying ones."""
    study = managed_study(study_id)
    rnd = load_round(study, number)
    if rnd.is_open or rnd.is_proposals:
        abort(404)
    rows = db.session.scalars(
        select(DelphiAnswer).where(DelphiAnswer.round_id == rnd.id, DelphiAnswer.justification != "")
    ).all()
    by_item: dict[int, list] = {}
    for row in rows:
        by_item.setdefault(row.item_id, []).append(
            {"id": row.id, "text": row.justification, "hidden": row.justification_hidden}
        )
    for entries in by_item.values():
        random.SystemRandom().shuffle(entries)
    return render_template("delphi/justifications.html", study=study, rnd=rnd, by_item=by_item, form=EmptyForm())


@bp.post("/<int:study_id>/rounds/<int:number>/justifications/<answer_id>")
@login_required
def moderate(study_id: int, number: int, answer_id: str):
    """Hide a justification (or show it again)."""
    study = managed_study(study_id)
    rnd = load_round(study, number)
    if not EmptyForm().validate_on_submit():
        abort(400)
    hide = request.form.get("hide") == "1"
    try:
        services.set_justification_hidden(rnd, current_user, answer_id, hide)
    except DomainError as exc:
        return refused(study, exc)
    db.session.commit()
    flash(_("The justification is hidden.") if hide else _("The justification is shown again."), "success")
    return redirect(url_for("delphi.justifications", study_id=study.id, number=rnd.number))


@bp.get("/<int:study_id>/proposals")
@login_required
def proposals(study_id: int):
    """Review the items proposed in round 0 (anonymous); turn them into items or set them aside."""
    study = managed_study(study_id)
    rnd = load_round(study, 0)
    rows = db.session.scalars(
        select(DelphiProposal)
        .where(DelphiProposal.round_id == rnd.id)
        .order_by(DelphiProposal.status, DelphiProposal.text)
    ).all()
    return render_template(
        "delphi/proposals.html", study=study, rnd=rnd, proposals=rows, form=EmptyForm(), ProposalStatus=ProposalStatus
    )


@bp.post("/<int:study_id>/proposals/<proposal_id>/dismiss")
@login_required
def dismiss_proposal(study_id: int, proposal_id: str):
    """Set a proposal aside."""
    study = managed_study(study_id)
    rnd = load_round(study, 0)
    proposal = db.session.get(DelphiProposal, proposal_id)
    if proposal is None or proposal.round_id != rnd.id:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.dismiss_proposal(proposal, current_user)
    db.session.commit()
    flash(_("The proposal was set aside."), "success")
    return redirect(url_for("delphi.proposals", study_id=study.id))
