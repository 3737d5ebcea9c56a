"""Delphi forms. Field checks live here; the rules of the method (frozen panel and rules, bounds, ranks) live in
the services, which raise messages the views attach to fields."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    FloatField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from civic.config import LANGUAGES
from civic.core.forms import BaseForm, LocalDateTimeField
from civic.core.i18n import LANGUAGE_NAMES
from civic.delphi.items import CUSTOM_POINTS, SCALE_PRESET_LABELS
from civic.delphi.links import link_choices


def _add_lang_fields(form_class, prefix: str, label, field_class=StringField, max_length: int = 300) -> None:
    """Add ``<prefix>_kk``, ``_ru``, ``_en`` fields (WTForms' metaclass accepts fields set after the class)."""
    for lang in LANGUAGES:
        setattr(
            form_class,
            f"{prefix}_{lang}",
            field_class(
                _l("%(label)s (%(language)s)", label=label, language=LANGUAGE_NAMES[lang]),
                validators=[Optional(), Length(max=max_length)],
            ),
        )


class StudyForm(BaseForm):
    base_language = SelectField(
        _l("Main language of the study"),
        choices=lambda: [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        description=_l("Texts in this language are required; the other two are optional and fall back to it."),
    )
    link_type = SelectField(
        _l("Linked to"),
        validators=[Optional()],
        choices=lambda: [("", _l("Nothing")), *link_choices()],
    )
    link_id = IntegerField(_l("Number of the linked object"), validators=[Optional(), NumberRange(min=1)])


def _percent(label, description=None):
    return IntegerField(label, validators=[InputRequired(), NumberRange(min=1, max=100)], description=description)


def _decimal(label, description=None):
    return FloatField(label, validators=[InputRequired()], description=description)


class ConfigForm(BaseForm):
    preset = SelectField(
        _l("Consensus rule for rating items"),
        choices=lambda: [
            ("default", _l("Default: agreement share and interquartile range")),
            (
                "comet_70_15",
                _l(
                    "COMET/DelphiManager 70/15: at least 70 percent in the top band and under 15 percent in the bottom band"
                ),
            ),
            ("rand_ucla", _l("RAND/UCLA appropriateness classes")),
        ],
    )
    n_min = IntegerField(
        _l("Minimum answers before any statistic is shown"),
        validators=[InputRequired(), NumberRange(min=5, max=100)],
        description=_l("At least 5, to protect anonymity."),
    )
    agree_threshold = _percent(_l("Agreement share for consensus (%)"))
    modal_threshold = _percent(_l("Share of the most frequent answer for consensus on yes/no and choice items (%)"))
    cv_max = _decimal(_l("Largest coefficient of variation for consensus on numeric estimates"))
    w_min = _decimal(_l("Smallest Kendall's W for consensus on a ranking"))
    alpha = _decimal(_l("Significance level of the tests"))
    tvd_max = _percent(_l("Largest net change between rounds for an item to count as stable (%)"))
    rel_median_change_max = _percent(_l("Largest relative change of a numeric median for stability (%)"))
    cv_change_max = _decimal(_l("Largest change of the coefficient of variation for stability"))
    delta_w_max = _decimal(_l("Largest change of Kendall's W that counts as a plateau"))
    min_rounds = IntegerField(_l("Minimum number of rounds"), validators=[InputRequired(), NumberRange(min=1, max=10)])
    max_rounds = IntegerField(_l("Maximum number of rounds"), validators=[InputRequired(), NumberRange(min=1, max=10)])
    min_response_rate = _percent(_l("Response rate below which the study pauses (%)"))
    tw_min = FloatField(
        _l("Optional: smallest Tastle–Wierman consensus for rating items (0–1)"),
        validators=[Optional(), NumberRange(min=0, max=1)],
    )
    retire_closed_items = BooleanField(_l("Stop asking items that reached a stable verdict"))
    rank_reason_distance = IntegerField(
        _l("Ask for a reason when a rank lies at least this many places from the panel's median rank"),
        validators=[Optional(), NumberRange(min=1, max=11)],
        description=_l("Rankings only, from round 2 on; empty: the platform's default (2)."),
    )

    PERCENT_KEYS = ("agree_threshold", "modal_threshold", "tvd_max", "rel_median_change_max", "min_response_rate")

    def load(self, config: dict) -> None:
        for key, value in config.items():
            field = getattr(self, key, None)
            if field is None:
                continue
            field.data = round(value * 100) if key in self.PERCENT_KEYS and value is not None else value

    def values(self) -> dict:
        out = {}
        for key in (
            "preset",
            "n_min",
            "agree_threshold",
            "modal_threshold",
            "cv_max",
            "w_min",
            "alpha",
            "tvd_max",
            "rel_median_change_max",
            "cv_change_max",
            "delta_w_max",
            "min_rounds",
            "max_rounds",
            "min_response_rate",
            "tw_min",
            "retire_closed_items",
            "rank_reason_distance",
        ):
            value = getattr(self, key).data
            out[key] = value / 100 if key in self.PERCENT_KEYS and value is not None else value
        return out


class ItemForm(BaseForm):
    scale_preset = SelectField(
        _l("Type of scale"), choices=lambda: list(SCALE_PRESET_LABELS.items()), default="agreement5"
    )
    scale_points = SelectField(
        _l("Number of points (custom scale)"),
        coerce=int,
        default=5,
        choices=lambda: [(k, str(k)) for k in CUSTOM_POINTS],
    )
    unit = StringField(_l("Unit (e.g. places, %, tenge)"), validators=[Optional(), Length(max=40)])
    min_value = FloatField(_l("Smallest allowed answer"), validators=[Optional()])
    max_value = FloatField(_l("Largest allowed answer"), validators=[Optional()])
    ratio_scale = BooleanField(
        _l("Ratio scale (zero means none: amounts, counts); enables the coefficient of variation"), default=True
    )


_add_lang_fields(StudyForm, "title", _l("Title"))
_add_lang_fields(StudyForm, "context", _l("Context and background (Markdown)"), TextAreaField, 20000)
_add_lang_fields(ItemForm, "text", _l("Question or statement"), TextAreaField, 2000)
_add_lang_fields(ItemForm, "low_label", _l("Label of the lowest point (custom scale)"), max_length=80)
_add_lang_fields(ItemForm, "high_label", _l("Label of the highest point (custom scale)"), max_length=80)
_add_lang_fields(ItemForm, "options", _l("Options, one per line"), TextAreaField, 3000)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AddPanelistsForm(BaseForm):
    #: Checked in validate_user_ids: a DataRequired flag would mark every checkbox "required" in the browser.
    user_ids = MultiCheckboxField(_l("Council members and experts"), coerce=int)

    def validate_user_ids(self, field) -> None:
        if not field.data:
            raise ValidationError(_l("Choose at least one person."))


class InviteForm(BaseForm):
    email = EmailField(_l("Email address"), validators=[DataRequired(), Email(), Length(max=254)])


class OpenRoundForm(BaseForm):
    #: Typed in Almaty time; ``data`` is UTC (civic.core.forms.LocalDateTimeField).
    deadline = LocalDateTimeField(_l("Deadline (Almaty time)"), validators=[DataRequired()])
    proposals = BooleanField(_l("Round 0: panelists propose items instead of answering"))


class DeadlineForm(BaseForm):
    deadline = LocalDateTimeField(_l("New deadline (Almaty time)"), validators=[DataRequired()])


class ProposalForm(BaseForm):
    text = TextAreaField(
        _l("Your proposal"),
        validators=[DataRequired(), Length(max=1000)],
        description=_l("One question or statement the panel should rate. It is stored without your name."),
    )


class ConfirmForm(BaseForm):
    """The confirmation step of an action that cannot be undone (the page says what will happen)."""

    #: Required by the view only when the page warns (e.g. closing a round nobody answered).
    understood = BooleanField(_l("I understand, and want to go ahead"))
