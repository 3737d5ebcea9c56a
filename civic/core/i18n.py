"""Language choice and locale-aware helpers."""

from __future__ import annotations

from flask import current_app, has_request_context, request
from flask_babel import get_locale
from flask_login import current_user

from civic.config import LANGUAGES

LANGUAGE_COOKIE = "civic_lang"
#: Endonyms, shown in the switcher in their own language.
LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}


def select_locale() -> str:
    """User preference, then the switcher's cookie, then Accept-Language, then Kazakh."""
    if not has_request_context():  # CLI, cron, demo data: messages for a person use force_locale
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    user = current_user
    if user is not None and getattr(user, "is_authenticated", False) and user.preferred_locale in LANGUAGES:
        return user.preferred_locale
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
