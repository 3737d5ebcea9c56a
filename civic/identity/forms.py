"""Identity forms. Field checks live here; business rules (uniqueness, lockout) live in services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from civic.config import LANGUAGES
from civic.core.forms import BaseForm
from civic.core.i18n import LANGUAGE_NAMES
from civic.identity.models import NotificationMode
from civic.identity.permissions import role_labels

#: The most common passwords (ASVS 6.2.4 asks for a deny-list); long enough to stop the obvious guesses.
COMMON_PASSWORDS = frozenset(
    [
        "12345678",
        "123456789",
        "1234567890",
        "password",
        "password1",
        "qwertyui",
        "qwerty123",
        "11111111",
        "00000000",
        "iloveyou",
        "1q2w3e4r",
        "1q2w3e4r5t",
        "qwertyuiop",
        "123123123",
        "987654321",
        "abcd1234",
        "password123",
        "admin123",
        "welcome1",
        "88888888",
        "12341234",
        "zaq12wsx",
        "1qaz2wsx",
        "asdfghjk",
        "123qweasd",
        "qazwsxedc",
        "55555555",
        "77777777",
        "66666666",
        "qwerty12",
        "kazakhstan",
        "almaty123",
    ]
)

PASSWORD_HELP = _l("At least 8 characters; a long phrase is best.")


def language_choices():
    return [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES]


def notification_choices():
    return [
        (NotificationMode.IMMEDIATE.value, _l("Email me at once")),
        (NotificationMode.DIGEST.value, _l("One daily digest email")),
        (NotificationMode.NONE.value, _l("No email, only on the site")),
    ]


def _not_common(form, field):
    if field.data and field.data.lower() in COMMON_PASSWORDS:
        raise ValidationError(_l("This password is too common. Choose another."))


def password_field(label):
    return PasswordField(
        label, validators=[DataRequired(), Length(min=8, max=128), _not_common], description=PASSWORD_HELP
    )


class RegisterForm(BaseForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    display_name = StringField(_l("Name shown publicly"), validators=[DataRequired(), Length(max=80)])
    password = password_field(_l("Password"))
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
    )
    home_territory = SelectField(_l("Where you live"), coerce=int, default=0)
    locale = SelectField(_l("Language"), choices=language_choices)
    #: Honeypot: hidden from people; bots fill it.
    website = StringField(_l("Leave this empty"), validators=[Optional(), Length(max=0)])


class LoginForm(BaseForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=128)])
    remember = BooleanField(_l("Keep me signed in on this device"))


class ResetRequestForm(BaseForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])


class ResetPasswordForm(BaseForm):
    password = password_field(_l("New password"))
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
    )


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=128)])
    password = password_field(_l("New password"))
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
    )


class ProfileForm(BaseForm):
    display_name = StringField(_l("Name shown publicly"), validators=[DataRequired(), Length(max=80)])
    locale = SelectField(_l("Language"), choices=language_choices)
    home_territory = SelectField(_l("Where you live"), coerce=int, default=0)
    notification_mode = SelectField(_l("Notifications by email"), choices=notification_choices)


class IinForm(BaseForm):
    iin = StringField(
        _l("IIN (12 digits)"),
        validators=[DataRequired(), Length(max=20)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    confirm = BooleanField(_l("This is my own IIN"), validators=[DataRequired()])


class EdsForm(BaseForm):
    """The CMS (PKCS#7) signature of the challenge: pasted as Base64 (what NCALayer returns) or uploaded."""

    signature = TextAreaField(_l("Signature (Base64, as NCALayer gives it)"), validators=[Length(max=60000)])
    signature_file = FileField(_l("…or the signature file (.p7s, .cms)"))


class DeleteAccountForm(BaseForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired(), Length(max=128)])
    confirm = BooleanField(_l("I understand that my personal data will be erased"), validators=[DataRequired()])


class LanguageForm(BaseForm):
    language = SelectField(_l("Language"), choices=language_choices)
    next = StringField(validators=[Optional(), Length(max=500)])


class AssignRoleForm(BaseForm):
    role = SelectField(_l("Role"), choices=lambda: list(role_labels().items()))
    territory = SelectField(_l("Territory (none: everywhere)"), coerce=int, default=0)
    state_body = SelectField(_l("State body (for officials and inspectors)"), coerce=int, default=0)


class InPersonForm(BaseForm):
    iin = StringField(
        _l("IIN from the identity document"),
        validators=[DataRequired(), Length(max=20)],
        render_kw={"autocomplete": "off"},
    )
    office = StringField(_l("Front office"), validators=[DataRequired(), Length(max=200)])


class StateBodyForm(BaseForm):
    head_email = EmailField(
        _l("Head of the body (email of a registered user; empty: none)"), validators=[Optional(), Length(max=254)]
    )
    categories = SelectMultipleField(_l("Competent for"), coerce=int)
