"""Initiative forms. Field checks live here; the rules of the steps live in the services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, FloatField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from civic.core.forms import BaseForm
from civic.initiatives.models import AGGREGATION_LABELS, COLLECTION_LEVELS, DIRECTION_LABELS, SECTORS


class InitiativeForm(BaseForm):
    title = StringField(_l("The problem, in one line"), validators=[DataRequired(), Length(max=300)])
    summary = TextAreaField(
        _l("What is wrong today, and for whom"), validators=[Length(max=20000)], render_kw={"rows": 6}
    )
    territory = SelectField(_l("Territory"), coerce=int, validators=[DataRequired()])
    body = SelectField(_l("Owner body"), coerce=int, validate_choice=False)
    sector = SelectField(_l("Sector"), choices=lambda: [(k, v) for k, v in SECTORS.items()])
    horizon_years = IntegerField(
        _l("Horizon, years"), default=5, validators=[InputRequired(), NumberRange(min=1, max=30)]
    )
    is_public = BooleanField(_l("Show the initiative to residents"), default=True)


class AdvanceForm(BaseForm):
    note = TextAreaField(
        _l("What was done at this step"), validators=[DataRequired(), Length(max=10000)], render_kw={"rows": 4}
    )
    decision_text = TextAreaField(_l("The decision"), validators=[Length(max=20000)], render_kw={"rows": 6})
    override_reason = TextAreaField(
        _l("Reason to pass despite the stakeholder check"),
        validators=[Length(max=5000)],
        description=_l("Only when the check has not passed; the reason is recorded in the audit log."),
    )
    report_text = TextAreaField(_l("The public report"), validators=[Length(max=20000)], render_kw={"rows": 8})


class DecisionForm(BaseForm):
    text = TextAreaField(_l("Decision"), validators=[DataRequired(), Length(max=10000)], render_kw={"rows": 3})


class TeamForm(BaseForm):
    email = StringField(_l("Email of the team member"), validators=[DataRequired(), Email(), Length(max=254)])


class IndicatorForm(BaseForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=40)],
        description=_l("Capital letters, digits and underscores, e.g. KG_QUEUE."),
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=300)])
    unit = StringField(_l("Unit"), validators=[DataRequired(), Length(max=40)])
    direction = SelectField(_l("Direction"), choices=lambda: [(k.value, v) for k, v in DIRECTION_LABELS.items()])
    level = SelectField(_l("Collected at"), choices=lambda: list(COLLECTION_LEVELS.items()))
    aggregation = SelectField(_l("Rolled up as"), choices=lambda: [(k.value, v) for k, v in AGGREGATION_LABELS.items()])


class TargetForm(BaseForm):
    target_value = FloatField(_l("Target value"), validators=[InputRequired()])
    target_period = StringField(
        _l("By period"),
        validators=[DataRequired(), Length(max=7)],
        description=_l("A year (2027) or a month (2027-12)."),
    )


class ValueForm(BaseForm):
    territory = StringField(
        _l("Territory code"), validators=[DataRequired(), Length(max=32)], description=_l("E.g. KZ-VOS-GLU-BOB.")
    )
    period = StringField(
        _l("Period"), validators=[DataRequired(), Length(max=7)], description=_l("A year (2025) or a month (2025-03).")
    )
    value = FloatField(_l("Value"), validators=[InputRequired()])


class UploadForm(BaseForm):
    file = FileField(
        _l("CSV file"),
        validators=[FileRequired()],
        description=_l("Columns: indicator, territory, period, value, unit. UTF-8."),
    )


class WeakSpotForm(BaseForm):
    territory = SelectField(_l("From the territory"), coerce=int, validators=[DataRequired()])
    initiative = SelectField(_l("Initiative"), coerce=int, validate_choice=False)
    weak_spots = TextAreaField(_l("Weak spots"), validators=[DataRequired(), Length(max=10000)], render_kw={"rows": 5})
    proposals = TextAreaField(_l("Proposals"), validators=[Length(max=10000)], render_kw={"rows": 5})


class AnswerForm(BaseForm):
    answer = TextAreaField(_l("Answer"), validators=[DataRequired(), Length(max=10000)], render_kw={"rows": 4})


class PlaceForm(BaseForm):
    """The territory view's choices (GET)."""

    class Meta:
        csrf = False

    territory = StringField(_l("Territory"), validators=[Optional()])
    period = StringField(_l("Period"), validators=[Optional()])
