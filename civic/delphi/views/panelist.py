"""The panelist's side: answering a round (draft or submit), proposing items in round 0, reading feedback, and
accepting an email invitation."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from civic import db
from civic.core.errors import DomainError, InvalidTransition
from civic.core.forms import EmptyForm
from civic.core.http import abort_domain
from civic.delphi import services
from civic.delphi.feedback import round_feedback
from civic.delphi.forms import ProposalForm
from civic.delphi.items import AnswerProblem, bounds_text, choices, format_number, options, parse_value, scale_points
from civic.delphi.models import DelphiRound, ItemKind
from civic.delphi.permissions import can_manage, panelist_of
from civic.delphi.services.answers import previous_round
from civic.delphi.views import bp, load_round, load_study
from civic.extensions import limiter


def _form_answers(rnd: DelphiRound) -> dict[int, services.RawAnswer]:
    """Read the answer form: ``item-<id>`` (or ``item-<id>-<option>`` per rank) and ``why-<id>``."""
    raw = {}
    for item in rnd.items:
        if item.kind == ItemKind.RANKING:
            value = {oid: request.form.get(f"item-{item.id}-{oid}", "") for oid in item.option_ids()}
        else:
            value = request.form.get(f"item-{item.id}", "")
        raw[item.id] = services.RawAnswer(value=value, justification=request.form.get(f"why-{item.id}", ""))
    return raw


def _stored_answers(rnd: DelphiRound) -> tuple[dict[int, services.RawAnswer], bool]:
    """The panelist's saved answers of this round; before they saved anything, their previous round's answers
    (round 2 starts from round 1). Returns (answers, pre-filled from the previous round)."""
    own = services.own_answers(rnd, current_user)
    if own:
        return {
            item_id: services.RawAnswer(value=answer.value, justification=answer.justification)
            for item_id, answer in own.items()
        }, False
    previous = services.previous_answers(rnd, current_user) if rnd.accepts_answers else {}
    return {item_id: services.RawAnswer(value=value) for item_id, value in previous.items()}, bool(previous)


def _reason_view(rnd: DelphiRound, item, raw: services.RawAnswer | None) -> dict | None:
    """What the page says about reasons for one item: the rule in words, and whether the current answer needs one
    (the marker next to the answer, computed on the server; static/js/delphi.js updates it as the answer changes)."""
    rule = services.reason_rule(rnd, item)
    if rule is None:
        return None
    try:
        value = parse_value(item, raw.value) if raw is not None else None
    except AnswerProblem:
        value = None
    flagged = rule.flagged(item, value)
    if rule.kind == "rank":
        distance = int(next(iter(rule.limits.values()))[1])
        medians = {column.split(":", 1)[1]: format_number(median) for column, (median, _d) in rule.limits.items()}
        text = _(
            "A rank %(d)s or more places from the panel's median rank for that option last round needs a reason.",
            d=distance,
        )
        data = {"kind": "rank", "distance": distance}
    else:
        low, high = next(iter(rule.limits.values()))
        medians = {}
        if item.kind == ItemKind.LIKERT:
            text = _(
                "The middle half of the panel answered from %(low)s to %(high)s last round. An answer outside "
                "these points of the scale needs a reason.",
                low=format_number(low),
                high=format_number(high),
            )
        else:
            text = _(
                "The middle half of the panel answered from %(low)s to %(high)s last round. An answer outside "
                "this range needs a reason.",
                low=format_number(low),
                high=format_number(high),
            )
        data = {"kind": "range", "low": low, "high": high}
    return {
        "text": text,
        "needed": bool(flagged),
        "flagged": {column.split(":", 1)[-1] for column in flagged},
        "medians": medians,
        "data": data,
    }


def _answer_page(rnd: DelphiRound, values: dict, errors: dict, status: int = 200, prefilled: bool = False):
    participation = services.participation_of(rnd, current_user)
    previous = previous_round(rnd)
    feedback = {view.item.id: view for view in round_feedback(previous, current_user)} if previous else {}
    helpers = {
        "points": scale_points,
        "choices": choices,
        "options": options,
        "bounds_text": bounds_text,
    }
    return render_template(
        "delphi/answer.html",
        study=rnd.study,
        rnd=rnd,
        values=values,
        errors=errors,
        reasons={item.id: _reason_view(rnd, item, values.get(item.id)) for item in rnd.items},
        participation=participation,
        feedback=feedback,
        previous=previous,
        prefilled=prefilled,
        form=EmptyForm(),
        **helpers,
    ), status


def _late_answer_page(rnd: DelphiRound, exc: InvalidTransition):
    """A clear 409 page for answers that arrived after the round closed: what happened, that nothing of this
    submission was saved, and what of the panelist's earlier answers still counts."""
    participation = services.participation_of(rnd, current_user)
    saved = len(services.own_answers(rnd, current_user))
    return render_template(
        "delphi/late_answer.html",
        study=rnd.study,
        rnd=rnd,
        reason=str(exc),
        saved=saved,
        submitted=bool(participation and participation.submitted),
    ), 409


@bp.route("/<int:study_id>/rounds/<int:number>/answer", methods=["GET", "POST"])
@login_required
@limiter.limit("60 per minute", methods=["POST"])
def answer(study_id: int, number: int):
    """Answer the open round: save a draft or submit; answers can change until the deadline."""
    study = load_study(study_id)
    rnd = load_round(study, number)
    if panelist_of(current_user, study) is None or rnd.is_proposals:
        abort(403)
    if request.method == "GET":
        stored, prefilled = _stored_answers(rnd)
        return _answer_page(rnd, stored, {}, prefilled=prefilled)
    if not EmptyForm().validate_on_submit():
        abort(400)
    raw = _form_answers(rnd)
    submit = request.form.get("action") == "submit"
    try:
        participation = services.save_answers(rnd, current_user, raw, submit=submit)
    except services.AnswerErrors as exc:
        if exc.kept:
            db.session.commit()  # the valid answers stay, as a draft
        else:
            db.session.rollback()
        flash(str(exc), "error")
        return _answer_page(rnd, raw, exc.errors, 400)
    except InvalidTransition as exc:  # the round closed (or its deadline passed) while the panelist was answering
        db.session.rollback()  # nothing of this late submission is kept, not even the valid part
        return _late_answer_page(rnd, exc)
    except DomainError as exc:
        abort_domain(exc)
    db.session.commit()
    flash(
        _("Your answers are submitted. You can change them until the deadline.")
        if participation.submitted
        else _("Your draft is saved. Submit it before the deadline."),
        "success",
    )
    return redirect(url_for("delphi.answer", study_id=study.id, number=rnd.number))


@bp.route("/<int:study_id>/propose", methods=["GET", "POST"])
@login_required
@limiter.limit("30 per minute", methods=["POST"])
def propose(study_id: int):
    """Propose items during round 0."""
    study = load_study(study_id)
    rnd = load_round(study, 0)
    if panelist_of(current_user, study) is None:
        abort(403)
    form = ProposalForm()
    if form.validate_on_submit():
        try:
            services.add_proposal(rnd, current_user, form.text.data)
        except DomainError as exc:
            form.add_domain_error(exc) if exc.status_code == 400 else abort_domain(exc)
        else:
            db.session.commit()
            flash(_("Your proposal is saved."), "success")
            return redirect(url_for("delphi.propose", study_id=study.id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "delphi/propose.html",
        study=study,
        rnd=rnd,
        form=form,
        delete_form=EmptyForm(),
        proposals=services.own_proposals(rnd, current_user),
    ), status


@bp.post("/<int:study_id>/propose/<proposal_id>/delete")
@login_required
def delete_proposal(study_id: int, proposal_id: str):
    """Withdraw one of one's proposals while round 0 is open."""
    study = load_study(study_id)
    rnd = load_round(study, 0)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.delete_proposal(rnd, current_user, proposal_id)
    except DomainError as exc:
        abort_domain(exc)
    db.session.commit()
    flash(_("Your proposal was withdrawn."), "success")
    return redirect(url_for("delphi.propose", study_id=study.id))


@bp.get("/<int:study_id>/rounds/<int:number>/feedback")
@login_required
def feedback(study_id: int, number: int):
    """Show a round's feedback: the panel's distribution with the viewer's own answer highlighted."""
    study = load_study(study_id)
    rnd = load_round(study, number)
    organiser = can_manage(current_user, study)
    panelist = panelist_of(current_user, study)
    if not organiser and panelist is None:
        abort(403)
    if rnd.is_open or rnd.is_proposals or (not rnd.is_published and not organiser):
        abort(404)
    views = round_feedback(rnd, current_user if panelist is not None else None)
    return render_template("delphi/feedback.html", study=study, rnd=rnd, views=views, preview=not rnd.is_published)


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def invitation(token: str):
    """Accept an email invitation to a panel (sign in or register with the invited address first)."""
    try:
        invitation = services.invitation_for_token(token)
    except DomainError as exc:
        abort_domain(exc)
    form = EmptyForm()
    if request.method == "POST" and current_user.is_authenticated and form.validate_on_submit():
        try:
            services.accept_invitation(token, current_user)
        except DomainError as exc:
            flash(str(exc), "error")
            return render_template("delphi/invitation.html", invitation=invitation, form=form), exc.status_code
        db.session.commit()
        flash(_("You joined the panel."), "success")
        return redirect(url_for("delphi.study", study_id=invitation.study_id))
    return render_template(
        "delphi/invitation.html", invitation=invitation, form=form, next_url=url_for("delphi.invitation", token=token)
    )
