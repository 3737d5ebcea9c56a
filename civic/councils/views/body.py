"""A recommendation's page and the body's side: acknowledging, extending once, answering; the council's verdict
that an answer is unjustified; the officials' list of recommendations to answer."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from civic import db
from civic.core import deadlines, links
from civic.core.deadline_text import EXTENSION_LABELS
from civic.core.forms import EmptyForm, commit_or_refuse
from civic.core.http import get_or_404
from civic.councils import services
from civic.councils.forms import AnswerForm, ExtendForm, UnjustifiedForm
from civic.councils.models import STATUS_LABELS, Recommendation, RecState
from civic.councils.permissions import ANSWER, can_answer, can_run
from civic.councils.views.common import bp, load_recommendation
from civic.db import utc_now
from civic.identity.permissions import require_permission, scopes


def render_recommendation(rec: Recommendation, status: int = 200, error: str | None = None, **forms):
    now = utc_now()
    answers = rec.body is not None and can_answer(current_user, rec.body)
    return (
        render_template(
            "councils/recommendation.html",
            rec=rec,
            council=rec.council,
            item_link=links.resolve(rec.item.linked_type, rec.item.linked_id, current_user) if rec.item else None,
            status=rec.status(now),
            status_labels=STATUS_LABELS,
            days_overdue=deadlines.days_overdue(now, rec.due_at) if rec.is_overdue(now) else 0,
            extension_label=EXTENSION_LABELS.get(rec.extension_reason or "", ""),
            answers=answers,
            runs=can_run(current_user, rec.council),
            extend_form=forms.get("extend_form") or ExtendForm(),
            answer_form=forms.get("answer_form") or AnswerForm(),
            unjustified_form=forms.get("unjustified_form") or UnjustifiedForm(),
            error=error,
        ),
        status,
    )


def _act(rec: Recommendation, action, success: str, **forms):
    refused = commit_or_refuse(action, *forms.values()).refused
    if refused:
        return render_recommendation(rec, refused.status_code, error=None if forms else str(refused), **forms)
    flash(success, "success")
    return redirect(url_for("councils.recommendation", rec_id=rec.id), 303)


@bp.post("/recommendations/<int:rec_id>/acknowledge")
@login_required
def acknowledge(rec_id: int):
    rec = load_recommendation(rec_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return _act(rec, lambda: services.acknowledge(rec, current_user), _("The recommendation is acknowledged."))


@bp.post("/recommendations/<int:rec_id>/extend")
@login_required
def extend(rec_id: int):
    rec = load_recommendation(rec_id)
    form = ExtendForm()
    if not form.validate_on_submit():
        return render_recommendation(rec, 400, extend_form=form)
    return _act(
        rec,
        lambda: services.extend_term(rec, current_user, form.reason.data, form.extension_note.data or ""),
        _("The term is extended to 30 days."),
        extend_form=form,
    )


@bp.post("/recommendations/<int:rec_id>/answer")
@login_required
def answer(rec_id: int):
    rec = load_recommendation(rec_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        return render_recommendation(rec, 400, answer_form=form)
    return _act(
        rec,
        lambda: services.answer(
            rec, current_user, form.decision.data, form.text.data, form.plan.data or "", form.plan_date.data
        ),
        _("The answer is published."),
        answer_form=form,
    )


@bp.post("/recommendations/<int:rec_id>/unjustified")
@login_required
def unjustified(rec_id: int):
    rec = load_recommendation(rec_id)
    form = UnjustifiedForm()
    if not form.validate_on_submit():
        return render_recommendation(rec, 400, unjustified_form=form)
    return _act(
        rec,
        lambda: services.mark_unjustified(rec, current_user, form.reason.data),
        _("The answer is marked unjustified and the question is back on the council's agenda."),
        unjustified_form=form,
    )


@bp.get("/answers")
@require_permission(ANSWER)
def answers():
    """The recommendations routed to the bodies where the official answers, the oldest deadline first."""
    where = scopes(current_user, ANSWER)
    stmt = (
        select(Recommendation)
        .where(Recommendation.state == RecState.ADOPTED)
        .order_by(Recommendation.due_at, Recommendation.id)
        .limit(200)
    )
    if not where.everywhere:
        stmt = stmt.where(where.body_condition(Recommendation.body_id))
    recs = list(db.session.scalars(stmt))
    now = utc_now()
    return render_template("councils/answers.html", recs=recs, now=now, status_labels=STATUS_LABELS)


__all__ = ["get_or_404"]
