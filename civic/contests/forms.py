"""Contest forms. Field checks live here; the rules of the lifecycle live in the services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    FloatField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from civic.contests.models import NORMALISE_LABELS, PLEDGE_LABELS, REWARD_LABELS, SCREENING_LABELS
from civic.core import links
from civic.core.forms import BaseForm, LocalDateTimeField


class ContestForm(BaseForm):
    title = StringField(_l("The problem, in one line"), validators=[DataRequired(), Length(max=200)])
    text = TextAreaField(
        _l("The problem in detail"),
        validators=[DataRequired(), Length(max=20000)],
        description=_l("What is wrong today, for whom, and what a good solution achieves. Markdown is allowed."),
        render_kw={"rows": 10},
    )
    territory = SelectField(_l("Territory"), coerce=int, validators=[DataRequired()])
    body = SelectField(_l("Organising state body"), coerce=int, validators=[DataRequired()])
    category = SelectField(_l("Subject"), coerce=int, validate_choice=False)
    reward_kind = SelectField(
        _l("What the winners get"), choices=lambda: [(k.value, v) for k, v in REWARD_LABELS.items()]
    )
    reward_text = StringField(
        _l("The reward in detail"),
        validators=[Length(max=500)],
        description=_l("E.g. “A grant of 3,000,000 tenge to start the project”."),
    )
    rules = TextAreaField(_l("Rules"), validators=[Length(max=20000)], render_kw={"rows": 6})
    votes_per_voter = IntegerField(
        _l("Votes per resident"), default=3, validators=[InputRequired(), NumberRange(min=1, max=10)]
    )
    submission_opens_at = LocalDateTimeField(_l("Submission opens"), validators=[InputRequired()])
    submission_closes_at = LocalDateTimeField(_l("Submission closes (screening begins)"), validators=[InputRequired()])
    voting_opens_at = LocalDateTimeField(_l("Public voting opens"), validators=[InputRequired()])
    voting_closes_at = LocalDateTimeField(_l("Public voting closes (the jury begins)"), validators=[InputRequired()])
    results_at = LocalDateTimeField(_l("Results are due"), validators=[InputRequired()])
    implementation_at = LocalDateTimeField(_l("Implementation begins"), validators=[InputRequired()])
    link_type = SelectField(
        _l("Linked to"),
        validators=[Optional()],
        choices=lambda: [("", _l("Nothing")), *links.registry().choices(exclude=("contest",))],
        description=_l("An initiative, a petition, a bureau trend… the contest answers."),
    )
    link_id = IntegerField(_l("Number of the linked object"), validators=[Optional(), NumberRange(min=1)])


class EntryForm(BaseForm):
    title = StringField(_l("Title of your idea"), validators=[DataRequired(), Length(max=200)])
    text = TextAreaField(
        _l("Your idea"),
        validators=[DataRequired(), Length(max=20000)],
        description=_l("How it solves the problem, what it needs and costs. Markdown is allowed."),
        render_kw={"rows": 12},
    )
    links = TextAreaField(
        _l("Links"), validators=[Length(max=5000)], description=_l("One web address per line."), render_kw={"rows": 3}
    )
    video_links = TextAreaField(
        _l("Video links"),
        validators=[Length(max=5000)],
        description=_l("One address per line (YouTube, Vimeo, …)."),
        render_kw={"rows": 2},
    )


class InviteForm(BaseForm):
    email = StringField(_l("Email address"), validators=[DataRequired(), Length(max=254)])


class ScreenForm(BaseForm):
    decision = SelectField(
        _l("Decision"), choices=lambda: [("accept", _l("Accept into the contest")), ("reject", _l("Screen out"))]
    )
    reason = SelectField(
        _l("Reason (when screening out)"),
        choices=lambda: [("", "—"), *((k.value, v) for k, v in SCREENING_LABELS.items())],
        validate_choice=False,
    )
    note = TextAreaField(_l("Note to the author"), validators=[Length(max=2000)], render_kw={"rows": 3})


class CommentForm(BaseForm):
    body = TextAreaField(_l("Comment"), validators=[DataRequired(), Length(max=2000)], render_kw={"rows": 3})
    parent_id = HiddenField()


class ReportForm(BaseForm):
    reason = StringField(_l("What is wrong with it?"), validators=[Length(max=500)])


class ReviewForm(BaseForm):
    decision = SelectField(_l("Decision"), choices=lambda: [("keep", _l("Restore")), ("remove", _l("Remove"))])


class PledgeForm(BaseForm):
    kind = SelectField(_l("I offer"), choices=lambda: [(k.value, v) for k, v in PLEDGE_LABELS.items()])
    hours = IntegerField(_l("Hours"), validators=[Optional(), NumberRange(min=1, max=10000)])
    description = StringField(_l("What exactly"), validators=[Length(max=500)])
    organisation = StringField(_l("On behalf of an organisation (optional)"), validators=[Length(max=200)])


class CriterionForm(BaseForm):
    name = StringField(_l("Criterion"), validators=[DataRequired(), Length(max=120)])
    description = StringField(_l("What the judges look at"), validators=[Length(max=500)])
    weight = FloatField(_l("Weight"), default=1.0, validators=[InputRequired(), NumberRange(min=0.01, max=1000)])
    scale_min = IntegerField(_l("Lowest score"), default=1, validators=[InputRequired()])
    scale_max = IntegerField(_l("Highest score"), default=10, validators=[InputRequired()])


class JurySettingsForm(BaseForm):
    jury_weight = FloatField(_l("Weight of the jury score"), validators=[InputRequired(), NumberRange(min=0, max=100)])
    public_weight = FloatField(
        _l("Weight of the public vote"), validators=[InputRequired(), NumberRange(min=0, max=100)]
    )
    normalise = SelectField(_l("Judges' scales"), choices=lambda: [(k.value, v) for k, v in NORMALISE_LABELS.items()])
    min_judges = IntegerField(
        _l("Judges needed to rank an entry"), validators=[InputRequired(), NumberRange(min=1, max=50)]
    )
    winner_count = IntegerField(_l("Number of winners"), validators=[InputRequired(), NumberRange(min=1, max=50)])


class RecuseForm(BaseForm):
    reason = StringField(_l("The conflict of interest"), validators=[DataRequired(), Length(max=1000)])


class AdvanceForm(BaseForm):
    confirm = BooleanField(
        _l("I want to end the current phase now"),
        validators=[DataRequired(_l("Tick the box to confirm that the phase ends now."))],
    )


class ReportTextForm(BaseForm):
    text = TextAreaField(
        _l("Implementation report"),
        validators=[Length(max=20000)],
        description=_l("What was done with the winning ideas, and when. Markdown is allowed."),
        render_kw={"rows": 8},
    )
