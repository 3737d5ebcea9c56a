"""Kazakhstan's individual identification number (IIN / ЖСН / ИИН): validation and keyed hashing.

Checksum per Government decree No. 565 of 11 June 2003: a two-pass weighted sum mod 11.
The number is personal data: callers keep only ``iin_digest`` and ``iin_last4``; nothing here logs it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from enum import StrEnum

WEIGHTS_FIRST = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
WEIGHTS_SECOND = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
#: Seventh digit: century of birth and sex (odd = male).
CENTURY_BY_DIGIT = {1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000}


class IinProblem(StrEnum):
    FORMAT = "format"
    CENTURY = "century"
    DATE = "date"
    CHECKSUM = "checksum"


def check_digit(first11: str) -> int | None:
    """The 12th digit for an 11-digit prefix, or None when both passes give 10 (such numbers are never issued)."""
    digits = [int(c) for c in first11]
    value = sum(a * b for a, b in zip(digits, WEIGHTS_FIRST, strict=True)) % 11
    if value == 10:
        value = sum(a * b for a, b in zip(digits, WEIGHTS_SECOND, strict=True)) % 11
        if value == 10:
            return None
    return value


def normalise(raw: str) -> str:
    """Drop the spaces and dashes people type between digit groups."""
    return "".join(ch for ch in (raw or "") if ch not in " -\u00a0\t")


def find_problem(iin: str) -> IinProblem | None:
    """Return what is wrong with a (normalised) IIN, or None when it is valid."""
    if len(iin) != 12 or not (iin.isascii() and iin.isdigit()):
        return IinProblem.FORMAT
    century = CENTURY_BY_DIGIT.get(int(iin[6]))
    if century is None:
        return IinProblem.CENTURY
    try:
        dt.date(century + int(iin[:2]), int(iin[2:4]), int(iin[4:6]))
    except ValueError:
        return IinProblem.DATE
    expected = check_digit(iin[:11])
    if expected is None or expected != int(iin[11]):
        return IinProblem.CHECKSUM
    return None


def is_valid(iin: str) -> bool:
    return find_problem(iin) is None


def birth_date(iin: str) -> dt.date:
    """Date of birth encoded in a valid IIN."""
    return dt.date(CENTURY_BY_DIGIT[int(iin[6])] + int(iin[:2]), int(iin[2:4]), int(iin[4:6]))


def iin_digest(iin: str, key: str) -> str:
    """HMAC-SHA256 of the IIN under the server-side key (hex): unique per person, useless without the key."""
    return hmac.new(key.encode(), iin.encode(), hashlib.sha256).hexdigest()
