"""Hackathon pages for staff: creating and managing a hackathon (tracks, sponsors, metrics, datasets, agenda,
checkpoints, mentors, the jury), the technical review, the track's jury, the results, implementation records and the
talent pool."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from civic import db
from civic.contests import hackathons as hk
from civic.contests import jury
from civic.contests.forms import CriterionForm, JurySettingsForm, RecuseForm
from civic.contests.models import (
    AGENDA_LABELS,
    HACKATHON_PHASE_LABELS,
    IMPLEMENTATION_LABELS,
    NORMALISE_LABELS,
    REVIEW_LABELS,
    SKILL_LABELS,
    Checkpoint,
    Dataset,
    Entry,
    EntryState,
    HackathonAgendaItem,
    ImplementationStatus,
    Judge,
    Mentor,
    Metric,
    Sponsor,
    Submission,
    Team,
    Track,
)
from civic.contests.views.common import bp, set_contest_choices
from civic.contests.views.hackathon_common import act, load_hackathon, load_track, organised_hackathon, refused
from civic.core.csv_export import csv_response
from civic.core.errors import DomainError
from civic.core.forms import BaseForm, EmptyForm, LocalDateTimeField, to_local
from civic.core.http import form_page, get_or_404
from civic.core.i18n import sort_by_name
from civic.core.richtext import render_markdown
from civic.db import utc_now
from civic.identity.models import StateBody


class HackathonForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    text = TextAreaField(_l("About the hackathon"), validators=[Length(max=20000)], render_kw={"rows": 6})
    regulation = TextAreaField(_l("Regulation"), validators=[Length(max=20000)], render_kw={"rows": 6})
    territory = SelectField(_l("Territory"), coerce=int, validators=[DataRequired()])
    body = SelectField(_l("Organising state body"), coerce=int, validators=[DataRequired()])
    category = SelectField(_l("Subject"), coerce=int, validate_choice=False)  # set_contest_choices fills it
    venue = StringField(_l("Venue"), validators=[Length(max=300)])
    starts_at = LocalDateTimeField(
        _l("Starts"), validators=[Optional()], description=_l("Empty: next Friday 21:00, Almaty time.")
    )
    submission_deadline = LocalDateTimeField(
        _l("Submission deadline"), validators=[Optional()], description=_l("Empty: Sunday 10:00.")
    )
    jury_opens_at = LocalDateTimeField(
        _l("Pitching and jury begin"), validators=[Optional()], description=_l("Empty: Sunday 12:00.")
    )
    max_team_size = IntegerField(
        _l("Largest team"), default=5, validators=[InputRequired(), NumberRange(min=1, max=hk.MAX_TEAM_SIZE)]
    )
    recommended_team_size = IntegerField(
        _l("Recommended team size"), default=4, validators=[InputRequired(), NumberRange(min=1, max=hk.MAX_TEAM_SIZE)]
    )


class AgendaForm(BaseForm):
    kind = SelectField(_l("Kind"), choices=lambda: [(k.value, v) for k, v in AGENDA_LABELS.items()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    speaker = StringField(_l("Speaker"), validators=[Length(max=200)])
    starts_at = LocalDateTimeField(_l("Starts"), validators=[InputRequired()])
    ends_at = LocalDateTimeField(_l("Ends"), validators=[InputRequired()])


class CheckpointForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    due_at = LocalDateTimeField(_l("Deadline"), validators=[InputRequired()])


@bp.route("/hackathons/new", methods=["GET", "POST"])
@login_required
def hackathon_new():
    form = HackathonForm()
    set_contest_choices(form)
    if not form.body.choices:
        abort(403)
    if form.validate_on_submit():
        from civic.identity.models import Territory

        try:
            hackathon = hk.create_hackathon(
                current_user,
                title=form.title.data,
                text=form.text.data,
                regulation=form.regulation.data,
                territory=db.session.get(Territory, form.territory.data),
                body=db.session.get(StateBody, form.body.data),
                venue=form.venue.data,
                starts_at=form.starts_at.data,
                submission_deadline=form.submission_deadline.data,
                jury_opens_at=form.jury_opens_at.data,
                max_team_size=form.max_team_size.data,
                recommended_team_size=form.recommended_team_size.data,
            )
            hk.default_agenda(hackathon, current_user)
        except DomainError as exc:
            db.session.rollback()
            form.add_domain_error(exc)
            return form_page("contests/hackathons/form.html", form, status=exc.status_code)
        db.session.commit()
        flash(_("The hackathon is created as a draft. Add its tracks, then publish it."), "success")
        return redirect(url_for("contests.hackathon_manage", hackathon_id=hackathon.id), 303)
    return form_page("contests/hackathons/form.html", form)


def _bodies():
    return sort_by_name(db.session.scalars(select(StateBody)).all())


@bp.get("/hackathons/<int:hackathon_id>/manage")
@login_required
def hackathon_manage(hackathon_id: int):
    hackathon = organised_hackathon(hackathon_id)
    now = utc_now()
    winners = {t.id: hk.winning_submissions(t) for t in hackathon.tracks}
    records = {i.submission_id: i for i in hk.implementations(hackathon)}
    phase = hackathon.phase_at(now)
    return render_template(
        "contests/hackathons/manage.html",
        hackathon=hackathon,
        phase=phase,
        phase_label=HACKATHON_PHASE_LABELS[phase],
        bodies=_bodies(),
        agenda_form=AgendaForm(formdata=None),
        checkpoint_form=CheckpointForm(formdata=None),
        criterion_forms={t.id: CriterionForm(formdata=None, prefix=f"c{t.id}") for t in hackathon.tracks},
        settings_forms={
            t.id: JurySettingsForm(formdata=None, obj=t.competition, prefix=f"t{t.id}") for t in hackathon.tracks
        },
        criteria={t.id: jury.criteria(t.competition) for t in hackathon.tracks},
        judges={t.id: jury.judges(t.competition) for t in hackathon.tracks},
        submissions=hk.submissions(hackathon),
        implementation_labels=IMPLEMENTATION_LABELS,
        winners=winners,
        implementation_values={
            s.id: _implementation_values(t, records.get(s.id)) for t in hackathon.tracks for s in winners[t.id]
        },
        publishable={t.id: hk.jury_open(t, now) for t in hackathon.tracks},
        normalise_labels=NORMALISE_LABELS,
        checkpoints=hk.checkpoints(hackathon),
        agenda=db.session.scalars(
            select(HackathonAgendaItem)
            .where(HackathonAgendaItem.hackathon_id == hackathon.id)
            .order_by(HackathonAgendaItem.starts_at, HackathonAgendaItem.id)
        ).all(),
        mentors={
            t.id: db.session.scalars(select(Mentor).where(Mentor.track_id == t.id).order_by(Mentor.id)).all()
            for t in hackathon.tracks
        },
    )


def _implementation_values(track: Track, record) -> dict:
    """What a winning solution's implementation form shows: the saved record, else a new one's defaults (planned,
    the track's problem owner). Dates are the days in the platform's zone, as the form takes them back."""
    if record is None:
        return {
            "owner_body": track.owner_body_id,
            "status": ImplementationStatus.PLANNED,
            "started_on": "",
            "finished_on": "",
            "note": "",
        }

    def day(value) -> str:
        return to_local(value).date().isoformat() if value else ""

    return {
        "owner_body": record.owner_body_id,
        "status": record.status,
        "started_on": day(record.started_on),
        "finished_on": day(record.finished_on),
        "note": record.note,
    }


def _manage(hackathon) -> str:
    return url_for("contests.hackathon_manage", hackathon_id=hackathon.id)


@bp.post("/hackathons/<int:hackathon_id>/publish")
@login_required
def hackathon_publish(hackathon_id: int):
    hackathon = organised_hackathon(hackathon_id)
    return act(
        lambda: hk.publish_hackathon(hackathon, current_user), _manage(hackathon), _("The hackathon is published.")
    )


@bp.post("/hackathons/<int:hackathon_id>/tracks")
@login_required
def hackathon_add_track(hackathon_id: int):
    hackathon = organised_hackathon(hackathon_id)
    owner = db.session.get(StateBody, request.form.get("owner_body", type=int) or 0)
    return act(
        lambda: hk.add_track(
            hackathon,
            current_user,
            request.form.get("title", ""),
            request.form.get("problem", ""),
            owner,
            request.form.get("regulation", ""),
        ),
        _manage(hackathon),
        _("The track is added."),
    )


def _organised_track(hackathon_id: int, track_id: int):
    hackathon = organised_hackathon(hackathon_id)
    return hackathon, load_track(hackathon, track_id)


@bp.post("/hackathons/<int:hackathon_id>/tracks/<int:track_id>/sponsors")
@login_required
def hackathon_add_sponsor(hackathon_id: int, track_id: int):
    hackathon, track = _organised_track(hackathon_id, track_id)
    return act(
        lambda: hk.add_sponsor(track, current_user, request.form.get("name", ""), request.form.get("url", "")),
        _manage(hackathon),
        _("The sponsor is added."),
    )


@bp.post("/hackathons/<int:hackathon_id>/tracks/<int:track_id>/metrics")
@login_required
def hackathon_add_metric(hackathon_id: int, track_id: int):
    hackathon, track = _organised_track(hackathon_id, track_id)
    raw = (request.form.get("target") or "").strip().replace(",", ".")
    try:
        target = float(raw) if raw else None
    except ValueError:
        return refused(_("The target must be a number."), _manage(hackathon), 400)
    return act(
        lambda: hk.add_metric(
            track,
            current_user,
            request.form.get("kind", ""),
            request.form.get("name", ""),
            target,
            request.form.get("unit", ""),
            request.form.get("rubric", ""),
        ),
        _manage(hackathon),
        _("The metric is added."),
    )


@bp.post("/hackathons/<int:hackathon_id>/tracks/<int:track_id>/datasets")
@login_required
def hackathon_add_dataset(hackathon_id: int, track_id: int):
    hackathon, track = _organised_track(hackathon_id, track_id)
    return act(
        lambda: hk.add_dataset(
            track,
            current_user,
            request.form.get("title", ""),
            request.form.get("provider", ""),
            request.form.get("url", ""),
            request.files.get("file"),
            request.form.get("teams_only") == "y",
        ),
        _manage(hackathon),
        _("The dataset is added."),
    )


@bp.post("/hackathons/<int:hackathon_id>/tracks/<int:track_id>/mentors")
@login_required
def hackathon_add_mentor(hackathon_id: int, track_id: int):
    hackathon, track = _organised_track(hackathon_id, track_id)
    return act(
        lambda: hk.add_mentor(track, current_user, request.form.get("email", ""), request.form.get("expertise", "")),
        _manage(hackathon),
        _("The mentor is added."),
    )


@bp.post("/hackathons/<int:hackathon_id>/agenda")
@login_required
def hackathon_add_agenda(hackathon_id: int):
    hackathon = organised_hackathon(hackathon_id)
    form = AgendaForm()
    if not form.validate():
        return refused(" ".join(e for errors in form.errors.values() for e in errors), _manage(hackathon), 400)
    return act(
        lambda: hk.add_agenda_item(
            hackathon,
            current_user,
            form.kind.data,
            form.title.data,
            form.speaker.data,
            form.starts_at.data,
            form.ends_at.data,
        ),
        _manage(hackathon),
        _("The agenda item is added."),
    )


@bp.post("/hackathons/<int:hackathon_id>/checkpoints")
@login_required
def hackathon_add_checkpoint(hackathon_id: int):
    hackathon = organised_hackathon(hackathon_id)
    form = CheckpointForm()
    if not form.validate():
        return refused(" ".join(e for errors in form.errors.values() for e in errors), _manage(hackathon), 400)
    return act(
        lambda: hk.add_checkpoint(hackathon, current_user, form.title.data, form.due_at.data),
        _manage(hackathon),
        _("The checkpoint is added."),
    )


@bp.post("/hackathons/<int:hackathon_id>/tracks/<int:track_id>/criteria")
@login_required
def hackathon_add_criterion(hackathon_id: int, track_id: int):
    hackathon, track = _organised_track(hackathon_id, track_id)
    form = CriterionForm(prefix=f"c{track.id}")
    if not form.validate():
        return refused(" ".join(e for errors in form.errors.values() for e in errors), _manage(hackathon), 400)
    return act(
        lambda: jury.add_criterion(
            track.competition,
            current_user,
            form.name.data,
            form.description.data,
            form.weight.data,
            form.scale_min.data,
            form.scale_max.data,
        ),
        _manage(hackathon),
        _("The criterion is added."),
    )


@bp.post("/hackathons/<int:hackathon_id>/tracks/<int:track_id>/jury-settings")
@login_required
def hackathon_jury_settings(hackathon_id: int, track_id: int):
    hackathon, track = _organised_track(hackathon_id, track_id)
    form = JurySettingsForm(prefix=f"t{track.id}")
    if not form.validate():
        return refused(" ".join(e for errors in form.errors.values() for e in errors), _manage(hackathon), 400)
    return act(
        lambda: jury.save_settings(
            track.competition,
            current_user,
            jury_weight=form.jury_weight.data,
            public_weight=form.public_weight.data,
            normalise=form.normalise.data,
            min_judges=form.min_judges.data,
            winner_count=form.winner_count.data,
        ),
        _manage(hackathon),
        _("The jury settings are saved."),
    )


@bp.post("/hackathons/<int:hackathon_id>/tracks/<int:track_id>/judges")
@login_required
def hackathon_invite_judge(hackathon_id: int, track_id: int):
    hackathon, track = _organised_track(hackathon_id, track_id)
    return act(
        lambda: jury.invite_judge(
            track.competition, current_user, request.form.get("email", ""), f"{hackathon.title}: {track.title}"
        ),
        _manage(hackathon),
        _("The invitation was sent."),
    )


@bp.post("/hackathons/<int:hackathon_id>/tracks/<int:track_id>/judges/<int:judge_id>/revoke")
@login_required
def hackathon_revoke_judge(hackathon_id: int, track_id: int, judge_id: int):
    hackathon, track = _organised_track(hackathon_id, track_id)
    judge = get_or_404(Judge, judge_id)
    if judge.competition_id != track.competition_id:
        abort(404)
    return act(lambda: jury.revoke_judge(judge, current_user), _manage(hackathon), _("The judge was removed."))


# --------------------------------------------------------------------------- editing and removing track extras


class SponsorForm(BaseForm):
    name = StringField(_l("Name"), validators=[Length(max=200)])
    url = StringField(_l("Website"), validators=[Length(max=500)], render_kw={"type": "url"})


class MetricForm(BaseForm):
    kind = SelectField(
        _l("Kind"),
        choices=lambda: [("objective", _("Objective (target and unit)")), ("subjective", _("Subjective (rubric)"))],
        validate_choice=False,  # the service names a wrong kind
    )
    name = StringField(_l("Name"), validators=[Length(max=200)])
    target = StringField(_l("Target"), render_kw={"inputmode": "decimal"})
    unit = StringField(_l("Unit"), validators=[Length(max=40)])
    rubric = TextAreaField(_l("Rubric"), validators=[Length(max=5000)], render_kw={"rows": 3})


class DatasetForm(BaseForm):
    title = StringField(_l("Title"), validators=[Length(max=200)])
    provider = StringField(_l("Provided by"), validators=[Length(max=200)])
    url = StringField(_l("Link"), validators=[Length(max=500)], render_kw={"type": "url"})
    file = FileField(_l("Replace the file (at most 20 MB)"))
    drop_file = BooleanField(_l("Remove the stored file (keep the link only)"))
    teams_only = BooleanField(_l("Only for registered participants"))


class MentorForm(BaseForm):
    expertise = StringField(_l("Expertise"), validators=[Length(max=200)])


class RemoveForm(BaseForm):
    confirm = BooleanField(_l("Yes, remove it"), validators=[DataRequired(_l("Tick the box to confirm the removal."))])


def _target(raw: str | None):
    raw = (raw or "").strip().replace(",", ".")
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        raise DomainError(_l("The target must be a number."), field="target") from None


def _save_sponsor(item, form):
    hk.edit_sponsor(item, current_user, form.name.data, form.url.data)


def _save_metric(item, form):
    hk.edit_metric(
        item, current_user, form.kind.data, form.name.data, _target(form.target.data), form.unit.data, form.rubric.data
    )


def _save_dataset(item, form):
    hk.edit_dataset(
        item,
        current_user,
        form.title.data,
        form.provider.data,
        form.url.data,
        request.files.get("file"),
        form.teams_only.data,
        form.drop_file.data,
    )


def _save_agenda(item, form):
    hk.edit_agenda_item(
        item, current_user, form.kind.data, form.title.data, form.speaker.data, form.starts_at.data, form.ends_at.data
    )


def _save_checkpoint(item, form):
    hk.edit_checkpoint(item, current_user, form.title.data, form.due_at.data)


def _save_mentor(item, form):
    hk.edit_mentor(item, current_user, form.expertise.data)


#: kind in the URL → (model, form, save, remove, frozen(track) or None, the page's heading, the flash messages)
ITEMS = {
    "sponsors": (
        Sponsor,
        SponsorForm,
        _save_sponsor,
        hk.remove_sponsor,
        None,
        _l("Edit the sponsor"),
        (_l("The sponsor is saved."), _l("The sponsor is removed.")),
    ),
    "metrics": (
        Metric,
        MetricForm,
        _save_metric,
        hk.remove_metric,
        hk.metric_frozen,
        _l("Edit the success metric"),
        (_l("The metric is saved."), _l("The metric is removed.")),
    ),
    "datasets": (
        Dataset,
        DatasetForm,
        _save_dataset,
        hk.remove_dataset,
        hk.dataset_frozen,
        _l("Edit the dataset"),
        (_l("The dataset is saved."), _l("The dataset is removed.")),
    ),
    "agenda": (
        HackathonAgendaItem,
        AgendaForm,
        _save_agenda,
        hk.remove_agenda_item,
        None,
        _l("Edit the agenda item"),
        (_l("The agenda item is saved."), _l("The agenda item is removed.")),
    ),
    "checkpoints": (
        Checkpoint,
        CheckpointForm,
        _save_checkpoint,
        hk.remove_checkpoint,
        None,
        _l("Edit the checkpoint"),
        (_l("The checkpoint is saved."), _l("The checkpoint is removed.")),
    ),
    "mentors": (
        Mentor,
        MentorForm,
        _save_mentor,
        hk.remove_mentor,
        None,
        _l("Edit the mentor"),
        (_l("The mentor is saved."), _l("The mentor is removed.")),
    ),
}
_KINDS = "any(" + ", ".join(ITEMS) + ")"


def _organised_item(hackathon_id: int, kind: str, item_id: int):
    """The organiser's hackathon (403 for others) and its item (404 when it belongs to another hackathon)."""
    hackathon = organised_hackathon(hackathon_id)
    item = get_or_404(ITEMS[kind][0], item_id)
    if kind in ("agenda", "checkpoints"):
        owner_id, track = item.hackathon_id, None
    else:
        track = db.session.get(Track, item.track_id)
        owner_id = track.hackathon_id
    if owner_id != hackathon.id:
        abort(404)
    return hackathon, track, item


def _item_page(hackathon, track, kind, item, form, remove_form, status=200):
    frozen = ITEMS[kind][4]
    return (
        render_template(
            "contests/hackathons/item_edit.html",
            hackathon=hackathon,
            track=track,
            kind=kind,
            item=item,
            heading=ITEMS[kind][5],
            form=form,
            remove_form=remove_form,
            frozen=bool(frozen and frozen(track)),
            mentor_name=item.user.public_name if kind == "mentors" else "",
        ),
        status,
    )


def _back(hackathon, track) -> str:
    return _manage(hackathon) + (f"#track-{track.id}" if track is not None else "#agenda")


@bp.route("/hackathons/<int:hackathon_id>/<" + _KINDS + ":kind>/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def hackathon_edit_item(hackathon_id: int, kind: str, item_id: int):
    hackathon, track, item = _organised_item(hackathon_id, kind, item_id)
    form_class, save = ITEMS[kind][1], ITEMS[kind][2]
    remove_form = RemoveForm(formdata=None)
    if request.method == "GET":
        return _item_page(hackathon, track, kind, item, form_class(obj=item), remove_form)
    form = form_class()
    if not form.validate_on_submit():
        return _item_page(hackathon, track, kind, item, form, remove_form, 400)
    try:
        save(item, form)
    except DomainError as exc:
        db.session.rollback()
        form.add_domain_error(exc)
        return _item_page(hackathon, track, kind, item, form, remove_form, exc.status_code)
    db.session.commit()
    flash(str(ITEMS[kind][6][0]), "success")
    return redirect(_back(hackathon, track), 303)


@bp.post("/hackathons/<int:hackathon_id>/<" + _KINDS + ":kind>/<int:item_id>/remove")
@login_required
def hackathon_remove_item(hackathon_id: int, kind: str, item_id: int):
    hackathon, track, item = _organised_item(hackathon_id, kind, item_id)
    form_class, remove = ITEMS[kind][1], ITEMS[kind][3]
    remove_form = RemoveForm()
    if not remove_form.validate_on_submit():
        return _item_page(hackathon, track, kind, item, form_class(formdata=None, obj=item), remove_form, 400)
    try:
        remove(item, current_user)
    except DomainError as exc:
        db.session.rollback()
        remove_form.form_errors.append(str(exc))
        return _item_page(
            hackathon, track, kind, item, form_class(formdata=None, obj=item), remove_form, exc.status_code
        )
    db.session.commit()
    flash(str(ITEMS[kind][6][1]), "success")
    return redirect(_back(hackathon, track), 303)


# --------------------------------------------------------------------------- technical review


@bp.get("/hackathons/<int:hackathon_id>/review")
@login_required
def hackathon_review(hackathon_id: int):
    hackathon = load_hackathon(hackathon_id)
    organiser = hk.can_organise(current_user, hackathon)
    tracks = [t for t in hackathon.tracks if organiser or hk.is_mentor(current_user, t.id)]
    if not tracks:
        abort(403)
    ids = {t.id for t in tracks}
    return render_template(
        "contests/hackathons/review.html",
        hackathon=hackathon,
        tracks={t.id: t for t in tracks},
        submissions=[s for s in hk.submissions(hackathon) if s.team.track_id in ids],
        review_labels=REVIEW_LABELS,
        review_open=utc_now() >= hackathon.submission_deadline,
    )


@bp.post("/hackathons/<int:hackathon_id>/submissions/<int:submission_id>/review")
@login_required
def hackathon_review_submission(hackathon_id: int, submission_id: int):
    hackathon = load_hackathon(hackathon_id)
    submission = get_or_404(Submission, submission_id)
    team = db.session.get(Team, submission.team_id)
    if team.hackathon_id != hackathon.id:
        abort(404)
    track = load_track(hackathon, team.track_id)
    if not hk.can_review(current_user, track):
        abort(403)
    works = request.form.get("verdict") == "works"
    return act(
        lambda: hk.review(submission, current_user, works, request.form.get("note", "")),
        url_for("contests.hackathon_review", hackathon_id=hackathon.id),
        _("The review is recorded."),
    )


# --------------------------------------------------------------------------- the track's jury


def _judged_track(hackathon_id: int, track_id: int):
    hackathon = load_hackathon(hackathon_id)
    track = load_track(hackathon, track_id)
    judge = jury.judge_of(track.competition, current_user)
    if judge is None:
        abort(403)
    return hackathon, track, judge


def _jury_entries(track):
    from civic.contests.results import accepted_entries

    return accepted_entries(track.competition)


@bp.get("/hackathons/<int:hackathon_id>/tracks/<int:track_id>/jury")
@login_required
def hackathon_jury(hackathon_id: int, track_id: int):
    hackathon, track, judge = _judged_track(hackathon_id, track_id)
    return render_template(
        "contests/hackathons/jury.html",
        hackathon=hackathon,
        track=track,
        entries=_jury_entries(track),
        progress=jury.progress(judge),
        jury_open=hk.jury_open(track),
        criteria=jury.criteria(track.competition),
    )


def _render_score(hackathon, track, judge, entry, status=200, error=None, values=None, note=None):
    return (
        render_template(
            "contests/hackathons/score.html",
            hackathon=hackathon,
            track=track,
            entry=entry,
            text_html=render_markdown(entry.text),
            criteria=jury.criteria(track.competition),
            values=values if values is not None else jury.scores_of(judge, entry.id),
            note=note if note is not None else jury.note_of(judge, entry.id),
            recused=jury.is_recused(judge, entry.id),
            jury_open=hk.jury_open(track),
            published=track.competition.results_published_at is not None,
            error=error,
            form=EmptyForm(),
            recuse_form=RecuseForm(formdata=None),
        ),
        status,
    )


def _track_entry(track, entry_id: int) -> Entry:
    entry = get_or_404(Entry, entry_id)
    if entry.competition_id != track.competition_id or entry.state != EntryState.ACCEPTED:
        abort(404)
    return entry


@bp.route("/hackathons/<int:hackathon_id>/tracks/<int:track_id>/jury/entries/<int:entry_id>", methods=["GET", "POST"])
@login_required
def hackathon_score(hackathon_id: int, track_id: int, entry_id: int):
    hackathon, track, judge = _judged_track(hackathon_id, track_id)
    entry = _track_entry(track, entry_id)
    if request.method == "GET":
        return _render_score(hackathon, track, judge, entry)
    if not EmptyForm().validate_on_submit():
        abort(400)
    values, raw_values = {}, {}
    for criterion in jury.criteria(track.competition):
        raw = (request.form.get(f"c{criterion.id}") or "").strip()
        raw_values[criterion.id] = raw
        try:
            values[criterion.id] = float(raw.replace(",", ".")) if raw else None
        except ValueError:
            return _render_score(
                hackathon, track, judge, entry, 400, _("Scores must be numbers."), raw_values, request.form.get("note")
            )
    try:
        jury.save_scores(judge, entry, values, request.form.get("note", ""), hk.jury_open(track))
    except DomainError as exc:
        db.session.rollback()
        return _render_score(
            hackathon, track, judge, entry, exc.status_code, str(exc), raw_values, request.form.get("note", "")
        )
    db.session.commit()
    flash(_("Your scores were saved."), "success")
    return redirect(url_for("contests.hackathon_jury", hackathon_id=hackathon.id, track_id=track.id), 303)


@bp.post("/hackathons/<int:hackathon_id>/tracks/<int:track_id>/jury/entries/<int:entry_id>/recuse")
@login_required
def hackathon_recuse(hackathon_id: int, track_id: int, entry_id: int):
    hackathon, track, judge = _judged_track(hackathon_id, track_id)
    entry = _track_entry(track, entry_id)
    form = RecuseForm()
    if not form.validate_on_submit():
        return _render_score(hackathon, track, judge, entry, 400, _("Say briefly what the conflict of interest is."))
    try:
        jury.recuse(judge, entry, form.reason.data)
    except DomainError as exc:
        db.session.rollback()
        return _render_score(hackathon, track, judge, entry, exc.status_code, str(exc))
    db.session.commit()
    flash(_("Your conflict of interest was recorded; you will not score this entry."), "info")
    return redirect(url_for("contests.hackathon_jury", hackathon_id=hackathon.id, track_id=track.id), 303)


# --------------------------------------------------------------------------- results and follow-up


@bp.post("/hackathons/<int:hackathon_id>/tracks/<int:track_id>/results/publish")
@login_required
def hackathon_publish_results(hackathon_id: int, track_id: int):
    hackathon, track = _organised_track(hackathon_id, track_id)
    return act(
        lambda: hk.publish_results(track, current_user),
        url_for("contests.hackathon_results", hackathon_id=hackathon.id, track_id=track.id),
        _("The results are published and the teams notified."),
    )


def _published_track(hackathon_id: int, track_id: int):
    """The hackathon, the track and its published results (404 while they are not published)."""
    from civic.contests.results import published

    hackathon = load_hackathon(hackathon_id)
    track = load_track(hackathon, track_id)
    data = published(track.competition)
    if data is None:
        abort(404)
    return hackathon, track, data


@bp.get("/hackathons/<int:hackathon_id>/tracks/<int:track_id>/results")
def hackathon_results(hackathon_id: int, track_id: int):
    from civic.contests.views.public import ranking_html

    hackathon, track, data = _published_track(hackathon_id, track_id)
    return render_template(
        "contests/hackathons/results.html",
        hackathon=hackathon,
        track=track,
        results=data,
        ranking_html=ranking_html(track.competition, data),
        implementations={i.submission.entry_id: i for i in hk.implementations(hackathon)},
    )


@bp.get("/hackathons/<int:hackathon_id>/tracks/<int:track_id>/results.csv")
def hackathon_results_csv(hackathon_id: int, track_id: int):
    """The track's ranking and every judge's scores, as the contests' results CSV (``results.csv_text``)."""
    from civic.contests.results import csv_text

    hackathon, track, data = _published_track(hackathon_id, track_id)
    return csv_response(csv_text(data), f"hackathon-{hackathon.id}-track-{track.id}-results.csv", "no-cache")


@bp.post("/hackathons/<int:hackathon_id>/submissions/<int:submission_id>/implementation")
@login_required
def hackathon_implementation(hackathon_id: int, submission_id: int):
    from datetime import date, datetime

    from civic.core.forms import platform_zone

    hackathon = organised_hackathon(hackathon_id)
    submission = get_or_404(Submission, submission_id)
    if submission.team.hackathon_id != hackathon.id:
        abort(404)

    def day(name):
        raw = (request.form.get(name) or "").strip()
        if not raw:
            return None
        parsed = date.fromisoformat(raw)
        return datetime(parsed.year, parsed.month, parsed.day, tzinfo=platform_zone())

    try:
        started, finished = day("started_on"), day("finished_on")
    except ValueError:
        return refused(_("Enter dates as YYYY-MM-DD."), _manage(hackathon), 400)
    owner = db.session.get(StateBody, request.form.get("owner_body", type=int) or 0)
    return act(
        lambda: hk.set_implementation(
            submission,
            current_user,
            owner,
            request.form.get("status", ""),
            started,
            finished,
            request.form.get("note", ""),
        ),
        _manage(hackathon),
        _("The implementation record is saved."),
    )


@bp.get("/hackathons/<int:hackathon_id>/talent")
@login_required
def hackathon_talent(hackathon_id: int):
    from civic.contests.permissions import TALENT

    hackathon = load_hackathon(hackathon_id)
    if not current_user.has_permission(TALENT, territory=hackathon.territory):
        abort(403)
    pool = hk.talent_pool(hackathon)
    teams = {m.user_id: t for t in hk.teams(hackathon) for m in t.members}
    return render_template(
        "contests/hackathons/talent.html",
        hackathon=hackathon,
        pool=pool,
        teams=teams,
        skill_labels=SKILL_LABELS,
    )
