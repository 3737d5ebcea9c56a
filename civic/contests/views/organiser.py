"""The organiser's workspace: the contest itself, its phases, the jury's criteria and judges, and the results."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from civic import db
from civic.contests import jury, results, services, voting
from civic.contests.forms import (
    AdvanceForm,
    ContestForm,
    CriterionForm,
    InviteForm,
    JurySettingsForm,
    ReportTextForm,
)
from civic.contests.models import (
    NORMALISE_LABELS,
    PHASE_LABELS,
    Contest,
    Criterion,
    Entry,
    Judge,
    Phase,
    PublishState,
)
from civic.contests.permissions import ORGANISE
from civic.contests.views.common import bp, organised_contest, set_contest_choices
from civic.contests.views.public import ranking_chart
from civic.core import jobs, links
from civic.core.errors import DomainError, PermissionDenied
from civic.core.forms import EmptyForm
from civic.core.http import form_page, get_or_404
from civic.db import utc_now
from civic.identity.models import Category, StateBody, Territory
from civic.identity.permissions import require_permission


def _data(form: ContestForm) -> services.ContestData:
    body = db.session.get(StateBody, form.body.data) if form.body.data else None
    territory = db.session.get(Territory, form.territory.data)
    if body is None or territory is None or not current_user.has_permission(ORGANISE, territory=territory, body=body):
        raise PermissionDenied(_("You do not organise contests for this body and territory."), field="body")
    return services.ContestData(
        title=form.title.data,
        text=form.text.data,
        rules=form.rules.data or "",
        territory=territory,
        category=db.session.get(Category, form.category.data) if form.category.data else None,
        body=body,
        reward_kind=form.reward_kind.data,
        reward_text=form.reward_text.data or "",
        votes_per_voter=form.votes_per_voter.data,
        submission_opens_at=form.submission_opens_at.data,
        submission_closes_at=form.submission_closes_at.data,
        voting_opens_at=form.voting_opens_at.data,
        voting_closes_at=form.voting_closes_at.data,
        results_at=form.results_at.data,
        implementation_at=form.implementation_at.data,
        link_type=form.link_type.data or None,
        link_id=form.link_id.data,
    )


@bp.route("/new", methods=["GET", "POST"])
@require_permission(ORGANISE)
def new():
    form = ContestForm()
    bodies = set_contest_choices(form)
    if not form.is_submitted():
        own = services.own_body(current_user, bodies)  # an official's own body and its territory, not the lists' first
        if own is not None:
            form.body.data, form.territory.data = own.id, own.territory_id
        # "start a contest" from another module's page: ?linked_type=…&linked_id=…
        requested = links.requested(request.args, current_user, exclude=("contest",))
        if requested is not None:
            form.link_type.data, form.link_id.data = requested.type, requested.id
    if form.validate_on_submit():
        try:
            contest = services.create_contest(current_user, _data(form))
        except DomainError as exc:
            db.session.rollback()
            form.add_domain_error(exc)
            return form_page("contests/contest_form.html", form, status=exc.status_code, contest=None)
        db.session.commit()
        flash(_("The contest was saved as a draft. Add the jury's criteria, then publish it."), "success")
        return redirect(url_for("contests.manage", contest_id=contest.id), 303)
    return form_page("contests/contest_form.html", form, contest=None)


@bp.route("/<int:contest_id>/edit", methods=["GET", "POST"])
@require_permission(ORGANISE)
def edit(contest_id: int):
    contest = organised_contest(contest_id)
    form = ContestForm(obj=contest)
    set_contest_choices(form)
    if not form.is_submitted():
        form.territory.data, form.body.data = contest.territory_id, contest.body_id
        form.category.data = contest.category_id or 0
        form.link_type.data, form.link_id.data = contest.linked_object_type or "", contest.linked_object_id
    if form.validate_on_submit():
        try:
            services.update_contest(contest, current_user, _data(form))
        except DomainError as exc:
            db.session.rollback()
            form.add_domain_error(exc)
            return form_page("contests/contest_form.html", form, status=exc.status_code, contest=contest)
        db.session.commit()
        flash(_("The contest was saved."), "success")
        return redirect(url_for("contests.manage", contest_id=contest.id), 303)
    return form_page("contests/contest_form.html", form, contest=contest)


def render_manage(contest: Contest, status: int = 200, error: str | None = None, **forms):
    now = utc_now()
    competition = contest.competition
    preview, preview_error = None, None
    publishing = competition.results_state == PublishState.PUBLISHING and competition.results_published_at is None
    progress = results.notification_progress(competition) if competition.results_published_at else None
    if not publishing and contest.phase_at(now) in (Phase.JURY, Phase.RESULTS, Phase.IMPLEMENTATION):
        try:
            preview = results.build(contest, now)
        except DomainError as exc:
            preview_error = str(exc)
    entries = list(
        db.session.scalars(select(Entry).where(Entry.competition_id == contest.competition_id).order_by(Entry.id))
    )
    settings = forms.get("settings_form") or JurySettingsForm(formdata=None, obj=competition)
    return (
        render_template(
            "contests/manage.html",
            contest=contest,
            competition=competition,
            phase=contest.phase_at(now),
            phase_labels=PHASE_LABELS,
            timeline=contest.timeline(now),
            criteria=jury.criteria(competition),
            judges=jury.judges(competition),
            entries=entries,
            counts=voting.vote_counts(contest.competition_id),
            pledge_totals=services.pledge_totals(e.id for e in entries),
            winners_pledges=results.winners_pledges(contest) if competition.results_published_at else {},
            entry_titles={e.id: e.title for e in entries},
            preview=preview,
            preview_error=preview_error,
            publish_state=competition.results_state,
            can_retry=results.can_retry(competition, now),
            notice_progress=progress,
            jobs_on_queue=jobs.runs_on_queue(),
            error=error,
            criterion_form=forms.get("criterion_form") or CriterionForm(formdata=None),
            settings_form=settings,
            invite_form=forms.get("invite_form") or InviteForm(formdata=None),
            advance_form=forms.get("advance_form") or AdvanceForm(formdata=None),
            report_form=forms.get("report_form") or ReportTextForm(formdata=None, text=contest.implementation_report),
            empty_form=EmptyForm(),
            ranking_chart=ranking_chart(preview) if preview else None,
            districts=voting.district_names((preview or {}).get("districts", [])),
            normalise_labels=NORMALISE_LABELS,
        ),
        status,
    )


@bp.get("/<int:contest_id>/manage")
@require_permission(ORGANISE)
def manage(contest_id: int):
    return render_manage(organised_contest(contest_id))


def _act(contest: Contest, action, success: str, form=None, **forms):
    """Run one service call and commit it, or show its refusal: next to the field it names on ``form`` (the form's
    section stays open with what was typed), else above the page."""
    try:
        action()
    except DomainError as exc:
        db.session.rollback()
        if form is not None and exc.field and getattr(form, exc.field, None) is not None:
            form.add_domain_error(exc)
            return render_manage(contest, status=exc.status_code, **forms)
        return render_manage(contest, status=exc.status_code, error=str(exc), **forms)
    db.session.commit()
    flash(success, "success")
    return redirect(url_for("contests.manage", contest_id=contest.id), 303)


@bp.post("/<int:contest_id>/publish")
@require_permission(ORGANISE)
def publish(contest_id: int):
    contest = organised_contest(contest_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return _act(contest, lambda: services.publish_contest(contest, current_user), _("The contest is published."))


@bp.post("/<int:contest_id>/advance")
@require_permission(ORGANISE)
def advance(contest_id: int):
    contest = organised_contest(contest_id)
    form = AdvanceForm()
    if not form.validate_on_submit():  # the form is novalidate: this translated message, not the browser's, says why
        return render_manage(contest, status=400, advance_form=form)
    return _act(contest, lambda: services.advance_phase(contest, current_user), _("The next phase has begun."))


@bp.post("/<int:contest_id>/criteria")
@require_permission(ORGANISE)
def add_criterion(contest_id: int):
    contest = organised_contest(contest_id)
    form = CriterionForm()
    if not form.validate_on_submit():
        return render_manage(contest, status=400, criterion_form=form)
    return _act(
        contest,
        lambda: jury.add_criterion(
            contest.competition,
            current_user,
            form.name.data,
            form.description.data,
            form.weight.data,
            form.scale_min.data,
            form.scale_max.data,
        ),
        _("The criterion was added."),
        form=form,
        criterion_form=form,
    )


@bp.post("/<int:contest_id>/criteria/<int:criterion_id>/delete")
@require_permission(ORGANISE)
def remove_criterion(contest_id: int, criterion_id: int):
    contest = organised_contest(contest_id)
    criterion = get_or_404(Criterion, criterion_id)
    if criterion.competition_id != contest.competition_id or not EmptyForm().validate_on_submit():
        abort(404)
    return _act(contest, lambda: jury.remove_criterion(criterion, current_user), _("The criterion was removed."))


@bp.post("/<int:contest_id>/jury-settings")
@require_permission(ORGANISE)
def jury_settings(contest_id: int):
    contest = organised_contest(contest_id)
    form = JurySettingsForm()
    if not form.validate_on_submit():
        return render_manage(contest, status=400, settings_form=form)
    return _act(
        contest,
        lambda: jury.save_settings(
            contest.competition,
            current_user,
            jury_weight=form.jury_weight.data,
            public_weight=form.public_weight.data,
            normalise=form.normalise.data,
            min_judges=form.min_judges.data,
            winner_count=form.winner_count.data,
        ),
        _("The jury settings were saved."),
        form=form,
        settings_form=form,
    )


@bp.post("/<int:contest_id>/judges")
@require_permission(ORGANISE)
def invite_judge(contest_id: int):
    contest = organised_contest(contest_id)
    form = InviteForm()
    if not form.validate_on_submit():
        return render_manage(contest, status=400, invite_form=form)
    return _act(
        contest,
        lambda: jury.invite_judge(contest.competition, current_user, form.email.data, contest.title),
        _("The invitation was sent."),
        invite_form=form,
    )


@bp.post("/<int:contest_id>/judges/<int:judge_id>/revoke")
@require_permission(ORGANISE)
def revoke_judge(contest_id: int, judge_id: int):
    contest = organised_contest(contest_id)
    judge = get_or_404(Judge, judge_id)
    if judge.competition_id != contest.competition_id or not EmptyForm().validate_on_submit():
        abort(404)
    return _act(contest, lambda: jury.revoke_judge(judge, current_user), _("The judge was removed from the jury."))


@bp.post("/<int:contest_id>/results/publish")
@require_permission(ORGANISE)
def publish_results(contest_id: int):
    """Record the decision and queue the publication (``results.publish_job``); the answer does not wait for it."""
    contest = organised_contest(contest_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        results.request_publication(contest, current_user)
    except DomainError as exc:
        db.session.rollback()
        return render_manage(contest, status=exc.status_code, error=str(exc))
    db.session.commit()  # the job starts after this commit (in-process without a queue: before the answer)
    if contest.competition.results_published_at is None:
        db.session.refresh(contest.competition)
    if contest.competition.results_state == PublishState.PUBLISHED:
        flash(_("The results are published and the authors are being told."), "success")
    else:
        flash(
            _("The results are being published. You will be notified when they are out; this page shows the progress."),
            "success",
        )
    return redirect(url_for("contests.manage", contest_id=contest.id), 303)


@bp.post("/<int:contest_id>/results/notify")
@require_permission(ORGANISE)
def resume_result_notices(contest_id: int):
    """Queue the authors' notifications again after a failed batch (no one already told is told twice)."""
    contest = organised_contest(contest_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return _act(
        contest,
        lambda: results.resume_notifications(contest, current_user),
        _("The remaining authors are being told."),
    )


@bp.post("/<int:contest_id>/implementation")
@require_permission(ORGANISE)
def implementation_report(contest_id: int):
    contest = organised_contest(contest_id)
    form = ReportTextForm()
    if not form.validate_on_submit():
        return render_manage(contest, status=400, report_form=form)
    return _act(
        contest,
        lambda: services.save_implementation_report(contest, current_user, form.text.data),
        _("The implementation report was saved."),
        report_form=form,
    )
