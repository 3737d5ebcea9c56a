"""Language choice and locale-aware helpers."""

from __future__ import annotations

from datetime import datetime

from babel.dates import get_datetime_format
from flask import current_app, has_request_context, request, session
from flask_babel import format_date, format_time, get_locale
from flask_login import current_user

from civic.config import LANGUAGES

LANGUAGE_COOKIE = "civic_lang"
#: Session key: the language a visitor chose before signing in, kept over the profile's for that session.
KEPT_LANGUAGE = "kept_lang"
#: Endonyms, shown in the switcher in their own language.
LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}


def select_locale(preferred: str | None = None) -> str:
    """The language chosen before signing in (this session), the user's preference, then the switcher's cookie, then
    Accept-Language, then Kazakh.

    ``preferred``: the signed-in user's preference when the caller read it already (a hot path that did not load
    the account: ``with force_locale(select_locale(preferred))``); else it comes from ``current_user``."""
    if not has_request_context():  # CLI, cron, demo data: messages for a person use force_locale
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    kept = session.get(KEPT_LANGUAGE)
    if kept in LANGUAGES:
        return kept
    if preferred is None:
        user = current_user
        if user is not None and getattr(user, "is_authenticated", False):
            preferred = user.preferred_locale
    if preferred in LANGUAGES:
        return preferred
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    if cookie in LANGUAGES:
        return cookie
    return request.accept_languages.best_match(LANGUAGES) or current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    return str(get_locale() or "kk")


def localized(obj, attribute: str = "name") -> str:
    """Pick ``<attribute>_<lang>`` from an object with kk/ru/en columns, falling back through ru, kk, en."""
    lang = current_language()
    for code in (lang, "ru", "kk", "en"):
        value = getattr(obj, f"{attribute}_{code}", None)
        if value:
            return value
    return ""


def format_day(value, _format=None) -> str:
    """A date the way every page shows one: the locale's medium date ("5 дек. 2026 г.", "Dec 5, 2026").

    The ``_format`` argument is accepted and ignored so that older templates passing "long" or "medium" still get
    the one house format. Datetimes are shown in the platform's time zone (Asia/Almaty)."""
    if value is None:
        return ""
    return format_date(value, "medium")


def format_when(value, _format=None) -> str:
    """A moment the way every page shows one: medium date and short time, never seconds ("Dec 5, 2026, 11:57 PM").

    Plain dates get :func:`format_day`. The ``_format`` argument is ignored, as in :func:`format_day`."""
    if value is None:
        return ""
    if not isinstance(value, datetime):
        return format_day(value)
    pattern = get_datetime_format("medium", locale=get_locale() or "kk")
    return pattern.replace("{1}", format_date(value, "medium")).replace("{0}", format_time(value, "short"))


# --- Alphabetical order -------------------------------------------------------------------------------------------
#: Kazakh letters that the Unicode default order (DUCET) does not place where the Kazakh alphabet has them
#: (А Ә Б В Г Ғ Д Е Ё Ж З И Й К Қ Л М Н Ң О Ө П Р С Т У Ұ Ү Ф Х Һ Ц Ч Ш Щ Ъ Ы І Ь Э Ю Я): each letter sorts
#: right after the one named, as CLDR-style rules "&а < ә", "&у < ұ < ү", "&ы < і" would say.
KAZAKH_TAILORING = (
    ("а", "ә"),
    ("г", "ғ"),
    ("е", "ё"),
    ("к", "қ"),
    ("н", "ң"),
    ("о", "ө"),
    ("у", "ұ", "ү"),
    ("х", "һ"),
    ("ы", "і"),
)
_COLLATORS: dict[str, object] = {}


def _collator(language: str):
    """A Unicode Collation Algorithm collator (pyuca, DUCET) for the language, tailored for Kazakh; built once."""
    name = "kk" if language == "kk" else "root"
    if name not in _COLLATORS:
        import unicodedata

        from pyuca import Collator

        collator = Collator()
        for base, *letters in KAZAKH_TAILORING if name == "kk" else ():
            primary = collator.collation_elements(base)[0][0]
            for step, lower in enumerate(letters, start=1):
                for letter in (lower, lower.upper()):
                    decomposed = [ord(c) for c in unicodedata.normalize("NFD", letter)]
                    elements = [list(e) for e in collator.collation_elements(unicodedata.normalize("NFD", letter))]
                    # A primary weight between the base letter's and the next letter's (DUCET's are integers);
                    # secondary and tertiary weights (case) stay the letter's own.
                    elements[0][0] = primary + step / (len(letters) + 1)
                    collator.table.add(decomposed, elements)
        _COLLATORS[name] = collator
    return _COLLATORS[name]


def collation_key(text: str | None, language: str | None = None) -> tuple:
    """A sort key that orders names the way the language's alphabet does (Kazakh, Russian, English)."""
    return _collator(language or current_language()).sort_key(text or "")


def sort_by_name(items, key=None, language: str | None = None) -> list:
    """``items`` sorted alphabetically in the current language, by ``key(item)`` (default: ``item.name``, or the item
    itself for strings). Ties keep their order. Use this wherever names are listed in order, never ``sorted()`` on
    code points nor ``ORDER BY name``: "Әуезов" belongs right after the А names in Kazakh, not after "Я"."""
    if key is None:

        def key(item):
            return item if isinstance(item, str) else item.name

    language = language or current_language()
    return sorted(items, key=lambda item: collation_key(key(item), language))
