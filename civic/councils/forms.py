"""Council forms. Choices that depend on the data (territories, members, meetings) are set by the views."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FloatField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from civic.core.deadline_text import EXTENSION_LABELS
from civic.core.forms import BaseForm, LocalDateTimeField
from civic.councils.models import (
    BOOKING_LABELS,
    DECISION_LABELS,
    ITEM_KIND_LABELS,
    SEAT_END_LABELS,
    SEAT_ROLE_LABELS,
)

_REQUIRED = _l("This field is required.")


def _choices(labels: dict) -> list[tuple[str, object]]:
    return [(key.value, label) for key, label in labels.items()]


class CouncilForm(BaseForm):
    name_kk = StringField(_l("Name in Kazakh"), validators=[DataRequired(_REQUIRED), Length(max=300)])
    name_ru = StringField(_l("Name in Russian"), validators=[DataRequired(_REQUIRED), Length(max=300)])
    name_en = StringField(_l("Name in English (optional)"), validators=[Optional(), Length(max=300)])
    territory = SelectField(_l("Territory"), coerce=int, validators=[InputRequired(_REQUIRED)])
    category = SelectField(_l("Sector (none for the territory's general council)"), coerce=int, default=0)
    mandate = TextAreaField(_l("Mandate"), validators=[DataRequired(_REQUIRED), Length(max=8000)])
    quorum_percent = IntegerField(
        _l("Quorum: more than this share of sitting members, per cent"),
        default=50,
        validators=[InputRequired(_REQUIRED), NumberRange(1, 99)],
    )
    notice_days = IntegerField(
        _l("Public notice of meetings, days ahead"),
        default=7,
        validators=[InputRequired(_REQUIRED), NumberRange(1, 90)],
    )
    expert_hours = IntegerField(
        _l("Hours per expert per year"), default=20, validators=[InputRequired(_REQUIRED), NumberRange(0, 500)]
    )


class SeatForm(BaseForm):
    email = EmailField(_l("Member's email (an account on the platform)"), validators=[DataRequired(_REQUIRED), Email()])
    role = SelectField(_l("Role in the council"), choices=lambda: _choices(SEAT_ROLE_LABELS), default="member")
    starts_on = DateField(_l("Term starts"), validators=[InputRequired(_REQUIRED)])
    term_ends_on = DateField(_l("Term ends"), validators=[InputRequired(_REQUIRED)])


class EndSeatForm(BaseForm):
    reason = SelectField(_l("Why the seat ends"), choices=lambda: _choices(SEAT_END_LABELS), default="resigned")
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])


class ApplyForm(BaseForm):
    organisation = StringField(
        _l("Organisation (if you apply on its behalf)"), validators=[Optional(), Length(max=200)]
    )
    areas = StringField(_l("Areas of expertise"), validators=[DataRequired(_REQUIRED), Length(max=300)])
    languages = StringField(_l("Languages"), validators=[Optional(), Length(max=100)])
    bio = TextAreaField(_l("Short public bio"), validators=[Optional(), Length(max=2000)])
    motivation = TextAreaField(_l("Why you want to help the council"), validators=[Optional(), Length(max=2000)])


class ExpertForm(BaseForm):
    email = EmailField(_l("Expert's email (an account on the platform)"), validators=[DataRequired(_REQUIRED), Email()])
    areas = StringField(_l("Areas of expertise"), validators=[DataRequired(_REQUIRED), Length(max=300)])
    languages = StringField(_l("Languages"), validators=[Optional(), Length(max=100)])
    bio = TextAreaField(_l("Short public bio"), validators=[Optional(), Length(max=2000)])


class DecideForm(BaseForm):
    decision = SelectField(_l("Decision"), choices=lambda: [("accept", _l("Accept")), ("reject", _l("Reject"))])
    reason = TextAreaField(_l("Reason (recorded and sent to the applicant)"), validators=[Optional(), Length(max=2000)])


class BookingForm(BaseForm):
    kind = SelectField(_l("For"), choices=lambda: _choices(BOOKING_LABELS))
    hours = FloatField(_l("Hours"), validators=[InputRequired(_REQUIRED)])
    meeting = SelectField(_l("Meeting"), coerce=int, default=0)
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])


class MeetingForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(_REQUIRED), Length(max=300)])
    starts_at = LocalDateTimeField(_l("Date and time (Almaty time)"), validators=[InputRequired(_REQUIRED)])
    place = StringField(_l("Place (address or video link)"), validators=[Optional(), Length(max=300)])


class ItemForm(BaseForm):
    kind = SelectField(_l("Kind of item"), choices=lambda: _choices(ITEM_KIND_LABELS), default="free_text")
    title = StringField(_l("Title"), validators=[DataRequired(_REQUIRED), Length(max=300)])
    text = TextAreaField(_l("Description"), validators=[Optional(), Length(max=8000)])
    linked_id = IntegerField(
        _l("Number of the linked petition, study, contest, report…"), validators=[Optional(), NumberRange(min=1)]
    )
    is_open = BooleanField(_l("Open to the public"), default=True)
    closed_reason = TextAreaField(_l("Legal reason for closing the item"), validators=[Optional(), Length(max=2000)])


class ProposeItemForm(ItemForm):
    """An item for a council's next meeting, proposed from anywhere (e.g. an initiative's page): which council, then
    the item (it waits among the council's pending items until the secretary puts it on a meeting's agenda)."""

    council = SelectField(_l("Public council"), coerce=int)


class ScheduleForm(BaseForm):
    meeting = SelectField(_l("Meeting"), coerce=int)


class DeclareForm(BaseForm):
    member = SelectField(_l("Member"), coerce=int, default=0)
    text = TextAreaField(_l("Conflict of interest"), validators=[DataRequired(_REQUIRED), Length(max=2000)])


class RecommendationForm(BaseForm):
    text = TextAreaField(_l("Recommendation"), validators=[DataRequired(_REQUIRED), Length(max=8000)])


class MinutesForm(BaseForm):
    minutes_kk = TextAreaField(_l("Minutes in Kazakh"), validators=[Optional(), Length(max=50000)])
    minutes_ru = TextAreaField(_l("Minutes in Russian"), validators=[Optional(), Length(max=50000)])
    minutes_en = TextAreaField(_l("Minutes in English (optional)"), validators=[Optional(), Length(max=50000)])


class ExtendForm(BaseForm):
    reason = SelectField(_l("Reason for the extension"), choices=lambda: [("", "—"), *EXTENSION_LABELS.items()])
    extension_note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])


class AnswerForm(BaseForm):
    decision = SelectField(_l("Decision"), choices=lambda: [("", "—"), *_choices(DECISION_LABELS)])
    text = TextAreaField(_l("Reasons"), validators=[DataRequired(_REQUIRED), Length(max=8000)])
    plan = TextAreaField(_l("Implementation plan"), validators=[Optional(), Length(max=8000)])
    plan_date = DateField(_l("Implemented by"), validators=[Optional()])


class UnjustifiedForm(BaseForm):
    reason = TextAreaField(
        _l("Why the answer is not justified"), validators=[DataRequired(_REQUIRED), Length(max=4000)]
    )


class CommentForm(BaseForm):
    text = TextAreaField(_l("Your written comment"), validators=[DataRequired(_REQUIRED), Length(max=4000)])


class CallForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(_REQUIRED), Length(max=300)])
    what = TextAreaField(_l("What help is needed"), validators=[DataRequired(_REQUIRED), Length(max=4000)])
    place = StringField(_l("Where"), validators=[DataRequired(_REQUIRED), Length(max=300)])
    starts_at = LocalDateTimeField(_l("When (Almaty time)"), validators=[InputRequired(_REQUIRED)])
    needed = IntegerField(_l("How many people"), validators=[InputRequired(_REQUIRED), NumberRange(1, 10000)])


class SignupForm(BaseForm):
    contact = StringField(_l("Phone or other contact"), validators=[DataRequired(_REQUIRED), Length(max=200)])
    note = StringField(_l("Note for the coordinator"), validators=[Optional(), Length(max=500)])
    consent = BooleanField(_l("I agree that the coordinator (only) sees my name and contact for this call"))


class CloseCallForm(BaseForm):
    report = TextAreaField(_l("Short public report"), validators=[DataRequired(_REQUIRED), Length(max=4000)])
