"""The state body's and the inspector's side: only the referred content, the deadline, extension, answers, review."""

from __future__ import annotations

from flask import abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from civic import db
from civic.bureau import clock, forms, queries
from civic.bureau.models import Referral, ReferralAnswer, ReferralState
from civic.bureau.models.enums import CLOCK_REFERRAL_STATES, EXTENSION_LABELS
from civic.bureau.permissions import (
    ANSWER,
    INSPECT,
    body_ids_for,
    can_view_referral,
    is_body_official,
    is_inspector_for,
    is_supervisor,
)
from civic.bureau.services import cases as case_services
from civic.bureau.services import referrals as referral_services
from civic.bureau.services.attachments import check_count
from civic.bureau.views import bp
from civic.bureau.views.common import done, form_errors_status, load, refused_status
from civic.bureau.views.page import LABELS
from civic.core import deadlines
from civic.core.errors import DomainError
from civic.core.forms import EmptyForm
from civic.core.http import abort_domain
from civic.identity.permissions import require_permission


@bp.get("/referrals")
@login_required
def referrals():
    """Show the appeals referred to my state body (as its official or head), the ones awaiting an answer first."""
    if not (current_user.has_permission(ANSWER) or body_ids_for(current_user)):
        abort(403)
    return render_template("bureau/referrals.html", referrals=queries.body_queue(current_user), now=clock.now())


@bp.get("/inspection")
@require_permission(INSPECT)
def inspection():
    """Show the bodies' answers awaiting inspection in my territory."""
    return render_template("bureau/inspection.html", referrals=queries.inspection_queue(current_user))


@bp.get("/clock")
@require_permission(INSPECT)
def inspector_clock():
    """The inspector's clock: referrals of my territory's bodies that are overdue or due soon, by body, computed
    from the deadlines when the page is read, with the escalation to each body's head one button away."""
    now = clock.now()
    return render_template(
        "bureau/clock.html",
        bodies=queries.inspector_clock(current_user, now),
        now=now,
        days_overdue=deadlines.days_overdue,
        escalate_form=EmptyForm(),
        recipients=referral_services.escalation_recipients,
    )


@bp.post("/referrals/<int:referral_id>/escalate")
@login_required
def escalate(referral_id: int):
    """Escalate an overdue or nearly due referral to the body's head (an inspector of its territory; audited)."""
    referral = load(Referral, referral_id, can_view_referral)
    if not EmptyForm().validate_on_submit():
        abort(400, description=_("The form has expired or was sent from another site. Reload the page and try again."))
    try:
        told = referral_services.escalate(referral, current_user)
    except DomainError as exc:
        db.session.rollback()
        if exc.status_code in (403, 404):
            abort_domain(exc)
        back = url_for("bureau.inspector_clock")
        return render_template("bureau/refused.html", message=str(exc), back=back), exc.status_code
    names = ", ".join(person.public_name for person in told) or "—"
    return done(
        _("Case %(number)s was escalated; notified: %(names)s.", number=referral.case.number, names=names),
        url_for("bureau.inspector_clock") + f"#body-{referral.body_id}",
    )


def render_referral(referral: Referral, status: int = 200, **overrides):
    """The referral page: the referred content, its timeline, deadline and the forms the viewer may use."""
    official, inspector = is_body_official(current_user, referral), is_inspector_for(current_user, referral)
    page_forms = {
        "extend_form": forms.ExtendForm(),
        "answer_form": forms.AnswerForm(),
        "info_form": forms.RequestInfoForm(),
        "review_form": forms.ReviewForm(),
        "withdraw_form": forms.WithdrawReferralForm(),
        **overrides,
    }
    answers = list(referral_answers(referral))
    now = clock.now()
    return render_template(
        "bureau/referral.html",
        referral=referral,
        case=referral.case,
        official=official,
        inspector=inspector,
        can_withdraw=referral.state == ReferralState.SENT
        and referral.answered_at is None
        and is_supervisor(current_user, referral.case),
        events=queries.timeline(referral.case, "body", referral),
        answers=answers,
        now=now,
        attachments=queries.attachments(referral.case, "body", referral),
        labels=LABELS,
        extension_labels=EXTENSION_LABELS,
        clock_running=referral.state in CLOCK_REFERRAL_STATES,
        days_overdue=deadlines.days_overdue(now, referral.due_at),
        **page_forms,
    ), status


def referral_answers(referral: Referral):
    return db.session.scalars(
        select(ReferralAnswer).where(ReferralAnswer.referral_id == referral.id).order_by(ReferralAnswer.id)
    )


@bp.get("/referrals/<int:referral_id>")
@login_required
def referral_detail(referral_id: int):
    """Show a referred appeal (officials see only what was referred)."""
    return render_referral(load(Referral, referral_id, can_view_referral))


def _official_step(referral_id: int, form, field_name: str, act, message: str):
    referral = load(Referral, referral_id, can_view_referral)
    if not form.validate_on_submit():
        return render_referral(referral, form_errors_status(form), **{field_name: form})
    try:
        act(referral, form)
    except DomainError as exc:
        form.add_domain_error(exc)
        return render_referral(referral, refused_status(exc), **{field_name: form})
    return done(message, referral_url(referral))


@bp.post("/referrals/<int:referral_id>/withdraw")
@login_required
def withdraw(referral_id: int):
    """A supervisor withdraws a referral the body never answered (the reason goes to the client and the body)."""
    return _official_step(
        referral_id,
        forms.WithdrawReferralForm(),
        "withdraw_form",
        lambda r, f: referral_services.withdraw(r, current_user, f.reason.data),
        _("The referral was withdrawn; the client and the body were told why."),
    )


def referral_url(referral: Referral) -> str:
    return url_for("bureau.referral_detail", referral_id=referral.id)


@bp.post("/referrals/<int:referral_id>/extend")
@login_required
def extend(referral_id: int):
    """Extend the deadline once to 30 days for a legal reason (the client is told why)."""
    return _official_step(
        referral_id,
        forms.ExtendForm(),
        "extend_form",
        lambda r, f: referral_services.extend(r, current_user, f.reason.data, f.extension_note.data or ""),
        _("The deadline was extended and the client informed."),
    )


@bp.post("/referrals/<int:referral_id>/answer")
@login_required
def answer(referral_id: int):
    """Send the body's answer (it goes to the client and to the inspectors)."""
    return _official_step(
        referral_id,
        forms.AnswerForm(),
        "answer_form",
        lambda r, f: referral_services.answer(r, current_user, f.text.data, check_count(f.attachments.data)),
        _("The answer was sent."),
    )


@bp.post("/referrals/<int:referral_id>/request-info")
@login_required
def request_info(referral_id: int):
    """Ask the client for information through the bureau; the legal clock stops until they answer."""
    return _official_step(
        referral_id,
        forms.RequestInfoForm(),
        "info_form",
        lambda r, f: case_services.await_client(r.case, current_user, f.question.data, requested_by_body=True),
        _("The client was asked; the deadline is stopped until they answer."),
    )


@bp.post("/referrals/<int:referral_id>/review")
@login_required
def review(referral_id: int):
    """Accept the body's answer, or mark it evasive with a reason (it returns to the body and its head is told)."""
    return _official_step(
        referral_id,
        forms.ReviewForm(),
        "review_form",
        lambda r, f: referral_services.review(r, current_user, f.verdict.data, f.verdict_reason.data or ""),
        _("Your verdict was recorded."),
    )
