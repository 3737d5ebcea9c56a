"""Stakeholder forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import FloatField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from civic.core.forms import BaseForm
from civic.stakeholders.models import KINDS, LEVEL_LABELS


class StakeholderForm(BaseForm):
    name = StringField(_l("Name of the organisation, group or role"), validators=[DataRequired(), Length(max=300)])
    kind = SelectField(_l("Type"), choices=lambda: list(KINDS.items()))
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)], render_kw={"rows": 3})
    contact_name = StringField(
        _l("Contact person"), validators=[Length(max=200)], description=_l("Personal data: seen by the team only.")
    )
    contact_email = StringField(_l("Contact email"), validators=[Optional(), Email(), Length(max=254)])
    contact_phone = StringField(_l("Contact phone"), validators=[Length(max=40)])


class PickForm(BaseForm):
    stakeholder = SelectField(_l("From the register"), coerce=int, validate_choice=False)


class ScoreForm(BaseForm):
    interest = IntegerField(_l("Interest (1–5)"), validators=[InputRequired(), NumberRange(min=1, max=5)])
    influence = IntegerField(_l("Influence (1–5)"), validators=[InputRequired(), NumberRange(min=1, max=5)])
    assessor_label = StringField(
        _l("Scored by (if not you)"),
        validators=[Length(max=200)],
        description=_l("E.g. “Delphi study of 12 experts”; leave empty when the score is yours."),
    )


class ThresholdForm(BaseForm):
    threshold = FloatField(
        _l("“High” means a mean of at least"), validators=[InputRequired(), NumberRange(min=1, max=5)]
    )


class PlanForm(BaseForm):
    level = SelectField(_l("Level of engagement"), choices=lambda: [(k.value, v) for k, v in LEVEL_LABELS.items()])
    mechanisms = TextAreaField(_l("Mechanisms"), validators=[Length(max=5000)], render_kw={"rows": 2})


class EngagementForm(BaseForm):
    level = SelectField(_l("Level"), choices=lambda: [(k.value, v) for k, v in LEVEL_LABELS.items()])
    summary = TextAreaField(
        _l("What was done and agreed"), validators=[DataRequired(), Length(max=5000)], render_kw={"rows": 3}
    )
