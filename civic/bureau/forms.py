"""Forms of the advice bureau. Choices that come from the database are filled in by the views."""

from __future__ import annotations

from flask_babel import format_number
from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, EmailField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from civic.bureau.models.enums import (
    CHANNEL_LABELS,
    CONSENT_LABELS,
    CONTACT_LABELS,
    EXTENSION_LABELS,
    FOLLOW_UP_LABELS,
    OUTCOME_LABELS,
    STAFF_CHANNELS,
    WORK_ACTION_LABELS,
    Consent,
)
from civic.config import LANGUAGES
from civic.core.forms import BaseForm
from civic.core.i18n import LANGUAGE_NAMES

DESCRIPTION_HELP = _l(
    "What happened, what you already tried, and what you would like to achieve. Do not write "
    "other people's personal data."
)


class TextLength(Length):
    """``Length`` with the bureau's own translated message and the limits formatted for the reader's language
    (WTForms' built-in message is English-only in Kazakh and words the same rule differently from the services)."""

    def __call__(self, form, field):
        length = len(field.data or "")
        if (self.min != -1 and length < self.min) or (self.max != -1 and length > self.max):
            if self.min > 0:
                message = _l(
                    "Write %(min)s to %(max)s characters.", min=format_number(self.min), max=format_number(self.max)
                )
            else:
                message = _l("Write at most %(max)s characters.", max=format_number(self.max))
            raise StopValidation(str(message))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _language_choices():
    return [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES]


class CaseForm(BaseForm):
    """A resident opens a case online."""

    category = SelectField(_l("Area"), coerce=int, validators=[InputRequired()])
    territory = SelectField(_l("Where (district or rural district)"), coerce=int, validators=[InputRequired()])
    description = TextAreaField(
        _l("Your problem"), description=DESCRIPTION_HELP, validators=[DataRequired(), TextLength(min=20, max=5000)]
    )
    attachments = MultipleFileField(_l("Documents (PDF, PNG or JPEG, up to 5 MB each, at most 5)"))
    preferred_language = SelectField(_l("Language for our answers"), choices=_language_choices)
    contact_channel = SelectField(
        _l("How should we contact you?"), choices=lambda: [(k.value, v) for k, v in CONTACT_LABELS.items()]
    )
    client_phone = StringField(
        _l("Phone number (for calls or messengers)"), validators=[Optional(), TextLength(max=40)]
    )
    consent_data = BooleanField(CONSENT_LABELS[Consent.DATA])
    consent_referral = BooleanField(CONSENT_LABELS[Consent.REFERRAL])
    consent_follow_up = BooleanField(CONSENT_LABELS[Consent.FOLLOW_UP])

    def consents(self) -> set[Consent]:
        return {
            kind
            for kind, field in (
                (Consent.DATA, self.consent_data),
                (Consent.REFERRAL, self.consent_referral),
                (Consent.FOLLOW_UP, self.consent_follow_up),
            )
            if field.data
        }


class IntakeForm(CaseForm):
    """A consultant records a case on a client's behalf."""

    channel = SelectField(
        _l("How the client reached us"), choices=lambda: [(c.value, CHANNEL_LABELS[c]) for c in STAFF_CHANNELS]
    )
    client_email = EmailField(
        _l("Client's email"),
        validators=[Optional(), Email(), TextLength(max=254)],
        description=_l(
            "If the client has an account with this email, the case appears in it: check the address with the client."
        ),
    )
    client_name = StringField(_l("Client's name or pseudonym"), validators=[Optional(), TextLength(max=120)])


class ConsentForm(BaseForm):
    consent_data = BooleanField(CONSENT_LABELS[Consent.DATA])
    consent_referral = BooleanField(CONSENT_LABELS[Consent.REFERRAL])
    consent_follow_up = BooleanField(CONSENT_LABELS[Consent.FOLLOW_UP])

    consents = CaseForm.consents


class MessageForm(BaseForm):
    message = TextAreaField(_l("Message"), validators=[DataRequired(), TextLength(max=5000)])
    attachments = MultipleFileField(_l("Documents (PDF, PNG or JPEG, up to 5 MB each)"))


class NoteForm(BaseForm):
    note = TextAreaField(_l("Confidential note (bureau staff only)"), validators=[DataRequired(), TextLength(max=5000)])


class ActionForm(BaseForm):
    action = SelectField(_l("What was done"), choices=lambda: [(k.value, v) for k, v in WORK_ACTION_LABELS.items()])
    details = TextAreaField(_l("Details"), validators=[DataRequired(), TextLength(max=5000)])


class TriageForm(BaseForm):
    """Also the first step of the guided path (take the case: triage, assign to me, start)."""

    category = SelectField(_l("Area"), coerce=int)
    territory = SelectField(_l("Territory"), coerce=int)
    urgent = BooleanField(_l("Urgent (eviction, court date, no income)"))


class AssignForm(BaseForm):
    consultant = SelectField(_l("Consultant"), coerce=int)


class RequestInfoForm(BaseForm):
    question = TextAreaField(_l("What do you need from the client?"), validators=[DataRequired(), TextLength(max=5000)])


class ResumeForm(BaseForm):
    client_said = TextAreaField(
        _l("What the client told us (e.g. by phone)"), validators=[Optional(), TextLength(max=5000)]
    )


class ReferForm(BaseForm):
    body = SelectField(_l("State body"), coerce=int)
    summary = TextAreaField(
        _l("Appeal text the body will see"),
        validators=[DataRequired(), TextLength(min=20, max=5000)],
        description=_l("The body sees only this text and the files you tick below, never the rest of the case."),
    )
    shared = MultiCheckboxField(_l("Files to share with the body"), coerce=int)


class ResolveForm(BaseForm):
    outcome = SelectField(_l("Outcome"), choices=lambda: [(k.value, v) for k, v in OUTCOME_LABELS.items()])
    answer = TextAreaField(
        _l("Substantive answer to the client"), validators=[DataRequired(), TextLength(min=20, max=5000)]
    )
    invitation = TextAreaField(
        _l("Invitation to further discussion"),
        validators=[Optional(), TextLength(max=1000)],
        default=_l("If you would like to discuss this further, reply here or visit the bureau: we are glad to help."),
    )


class ReopenForm(BaseForm):
    reopen_reason = TextAreaField(
        _l("Why does the case need more work?"), validators=[DataRequired(), TextLength(max=2000)]
    )


class FollowUpForm(BaseForm):
    result = RadioField(
        _l("Was your problem solved?"),
        choices=lambda: [(k.value, v) for k, v in FOLLOW_UP_LABELS.items()],
        validators=[InputRequired()],
    )
    comment = TextAreaField(
        _l("Anything you would like to add (optional)"), validators=[Optional(), TextLength(max=2000)]
    )


class ExtendForm(BaseForm):
    reason = SelectField(
        _l("Legal reason for the extension"),
        choices=lambda: [("", "—"), *((k, v) for k, v in EXTENSION_LABELS.items())],
    )
    extension_note = TextAreaField(_l("Explanation for the client"), validators=[Optional(), TextLength(max=2000)])


class WithdrawReferralForm(BaseForm):
    reason = TextAreaField(
        _l("Why is the referral withdrawn? (the client and the body read this)"),
        validators=[DataRequired(), TextLength(min=10, max=2000)],
    )


class AnswerForm(BaseForm):
    text = TextAreaField(_l("Answer of the state body"), validators=[DataRequired(), TextLength(min=20, max=5000)])
    attachments = MultipleFileField(_l("Documents (PDF, PNG or JPEG, up to 5 MB each)"))


class ReviewForm(BaseForm):
    verdict = RadioField(
        _l("Verdict"),
        choices=lambda: [
            ("accepted", _l("Accept: the answer is substantive")),
            ("evasive", _l("Evasive or unqualified: return it to the body")),
        ],
        validators=[InputRequired()],
    )
    verdict_reason = TextAreaField(
        _l("Reason (required for an evasive answer)"), validators=[Optional(), TextLength(max=2000)]
    )


class TemplateForm(BaseForm):
    category = SelectField(_l("Area"), coerce=int)
    language = SelectField(_l("Language"), choices=_language_choices)
    title = StringField(_l("Title"), validators=[DataRequired(), TextLength(max=200)])
    body = TextAreaField(_l("Text"), validators=[DataRequired(), TextLength(max=5000)])
    is_active = BooleanField(_l("In use"), default=True)


class AreaForm(BaseForm):
    existing = SelectField(_l("Use an existing category"), coerce=int)
    code = StringField(
        _l("Or create a new one: code (latin letters, digits, underscores)"),
        validators=[Optional(), TextLength(max=40)],
    )
    name_kk = StringField(_l("Name in Kazakh"), validators=[Optional(), TextLength(max=200)])
    name_ru = StringField(_l("Name in Russian"), validators=[Optional(), TextLength(max=200)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), TextLength(max=200)])
