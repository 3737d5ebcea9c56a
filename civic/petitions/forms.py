"""Petition forms. Field checks live here; the rules of the lifecycle live in the services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from civic.core.deadline_text import EXTENSION_LABELS
from civic.core.forms import BaseForm
from civic.petitions.models import REJECTION_LABELS

TEXT_LANGUAGES = (("kk", "Қазақша"), ("ru", "Русский"), ("en", "English"))


class PetitionForm(BaseForm):
    title = StringField(
        _l("What should the akimat do?"),
        validators=[DataRequired(), Length(min=10, max=150)],
        description=_l(
            "One sentence, 10 to 150 characters, e.g. “Install a pedestrian crossing at "
            "Abay Avenue and Baitursynov Street”."
        ),
    )
    text = TextAreaField(
        _l("Why is it needed?"),
        validators=[DataRequired(), Length(min=30, max=5000)],
        description=_l(
            "Describe the problem, the place and what residents need (30 to 5,000 "
            "characters). Do not include anyone's personal data."
        ),
        render_kw={"rows": 10},
    )
    territory = SelectField(_l("Addressed to the akimat of"), coerce=int, validators=[DataRequired()])
    category = SelectField(_l("Subject"), coerce=int, validators=[DataRequired()])
    language = SelectField(_l("Language of the text"), choices=lambda: list(TEXT_LANGUAGES))


class NotifyForm(BaseForm):
    """Signing or supporting: a CSRF token and the opt-in for news of the response."""

    notify = BooleanField(_l("Email me when the akimat answers"))


class ApproveForm(BaseForm):
    state_body = SelectField(_l("Route to the state body"), coerce=int)
    body_confirmed = BooleanField(
        _l("I checked that this body is competent to answer the petition"),
        validators=[DataRequired(message=_l("Confirm the state body the petition goes to."))],
    )


class RejectForm(BaseForm):
    code = SelectField(
        _l("Reason"),
        choices=lambda: [("", "—"), *((code.value, label) for code, label in REJECTION_LABELS.items())],
        validators=[DataRequired()],
    )
    details = TextAreaField(
        _l("Explanation for the author and the public"),
        validators=[DataRequired(), Length(max=2000)],
        render_kw={"rows": 4},
    )
    duplicate_of = IntegerField(_l("Number of the original petition (for duplicates)"), validators=[Optional()])


class HideForm(BaseForm):
    details = TextAreaField(
        _l("Why is the petition hidden?"), validators=[DataRequired(), Length(max=2000)], render_kw={"rows": 3}
    )


class RestoreForm(BaseForm):
    details = TextAreaField(
        _l("Why is the petition restored?"), validators=[DataRequired(), Length(max=2000)], render_kw={"rows": 3}
    )


class RerouteForm(BaseForm):
    state_body = SelectField(_l("State body"), coerce=int, validators=[DataRequired()])


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


WINDOWS = (
    (1, _l("the last hour")),
    (24, _l("the last 24 hours")),
    (168, _l("the last 7 days")),
    (24 * 400, _l("the whole petition")),
)


class InvalidateForm(BaseForm):
    ips = CheckboxesField(_l("IP addresses"), choices=[])
    domains = CheckboxesField(_l("Email domains"), choices=[])
    hours = SelectField(_l("Signatures made in"), coerce=int, choices=lambda: list(WINDOWS), default=1)
    reason = TextAreaField(
        _l("Reason (kept in the audit log)"), validators=[DataRequired(), Length(max=2000)], render_kw={"rows": 3}
    )


class ExtendResponseForm(BaseForm):
    """The official extends the answer term once (15 to 30 days); reason and note are public."""

    reason = SelectField(
        _l("Reason for the extension"),
        choices=lambda: [("", "—"), *((k, v) for k, v in EXTENSION_LABELS.items())],
        validators=[Optional()],  # the legal clock refuses a missing or unknown reason with its own message
    )
    note = TextAreaField(
        _l("Note to the public"),
        validators=[Optional(), Length(max=2000)],
        description=_l("What will be done before the answer, e.g. the date of the site visit."),
        render_kw={"rows": 3},
    )


class ResponseForm(BaseForm):
    #: "1" once the official has seen the preview (the confirmation step) and chose to publish.
    confirmed = HiddenField()
    text = TextAreaField(
        _l("Official response"),
        validators=[DataRequired(), Length(min=20, max=20000)],
        description=_l("Markdown: **bold**, lists, links. Say what will be done, by whom and when."),
        render_kw={"rows": 14},
    )


THRESHOLD_LEVEL_CHOICES = [
    (2, _l("Every verified IIN (checksum, self-declared)")),
    (3, _l("Verified in person or by digital signature")),
    (4, _l("Verified by digital signature only")),
]


class ThresholdLevelForm(BaseForm):
    """Which signatures count toward the petition's legal thresholds (an administrator's choice)."""

    threshold_level = SelectField(
        _l("Signatures that count toward the thresholds"), coerce=int, choices=lambda: list(THRESHOLD_LEVEL_CHOICES)
    )


class LevelRuleForm(BaseForm):
    level = HiddenField(validators=[DataRequired()])
    response_threshold = IntegerField(
        _l("Signatures for a response"), validators=[InputRequired(), NumberRange(min=1, max=10_000_000)]
    )
    hearing_threshold = IntegerField(
        _l("Signatures for a hearing"), validators=[InputRequired(), NumberRange(min=2, max=10_000_000)]
    )
    signing_days = IntegerField(_l("Signing window, days"), validators=[InputRequired(), NumberRange(min=1, max=366)])


class SettingsForm(BaseForm):
    supporters_needed = IntegerField(
        _l("Supporters needed before moderation"), validators=[InputRequired(), NumberRange(min=1, max=100)]
    )
    residence_required = BooleanField(_l("Only residents of the petition's territory may sign"))


class CategoryForm(BaseForm):
    name_kk = StringField(_l("Name in Kazakh"), validators=[DataRequired(), Length(max=200)])
    name_ru = StringField(_l("Name in Russian"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name in English"), validators=[DataRequired(), Length(max=200)])
    is_active = BooleanField(_l("Offered for new petitions"))
