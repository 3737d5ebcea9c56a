"""Moderators: the screening queue and decisions, and reported comments."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from civic import db
from civic.contests import services
from civic.contests.forms import ReviewForm, ScreenForm
from civic.contests.models import Comment, Entry
from civic.contests.permissions import MODERATE, can_moderate
from civic.contests.views.common import bp, load_entry, moderated_contest
from civic.contests.views.public import render_entry
from civic.core.errors import DomainError
from civic.core.http import get_or_404
from civic.identity.permissions import require_permission


@bp.get("/screening")
@require_permission(MODERATE)
def screening():
    rows = services.screening_queue(current_user)
    comments = []
    for comment in services.reported_comments():
        entry = db.session.get(Entry, comment.entry_id)
        contest = services.contest_of(entry)
        if can_moderate(current_user, contest):
            comments.append((comment, entry, contest))
    return render_template("contests/screening.html", rows=rows, comments=comments, form=ReviewForm(formdata=None))


@bp.post("/<int:contest_id>/entries/<int:entry_id>/screen")
@require_permission(MODERATE)
def screen(contest_id: int, entry_id: int):
    contest = moderated_contest(contest_id)
    entry = load_entry(contest, entry_id)
    form = ScreenForm()
    if not form.validate_on_submit():
        return render_entry(contest, entry, status=400, screen_form=form)
    try:
        services.screen_entry(
            entry, contest, current_user, form.decision.data == "accept", form.reason.data or None, form.note.data
        )
    except DomainError as exc:
        db.session.rollback()
        form.add_domain_error(exc)
        return render_entry(contest, entry, status=exc.status_code, error=str(exc), screen_form=form)
    db.session.commit()
    flash(_("The decision was saved and the authors were told."), "success")
    return redirect(url_for("contests.screening"), 303)


@bp.post("/comments/<int:comment_id>/review")
@require_permission(MODERATE)
def review_comment(comment_id: int):
    comment = get_or_404(Comment, comment_id)
    contest = services.contest_of(get_or_404(Entry, comment.entry_id))
    if not can_moderate(current_user, contest):
        abort(403)
    form = ReviewForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.review_comment(comment, current_user, form.decision.data == "keep")
    except DomainError as exc:
        db.session.rollback()
        abort(exc.status_code, description=str(exc))
    db.session.commit()
    flash(_("The comment was reviewed."), "success")
    return redirect(url_for("contests.screening"), 303)
