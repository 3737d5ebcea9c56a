"""Numbers the bureau's pages show in words: file sizes, through Babel's number formatting for the reader's language."""

from __future__ import annotations

from flask_babel import format_decimal, format_number, ngettext
from flask_babel import gettext as _

KB, MB = 1024, 1024 * 1024


def file_size(size: int | None) -> str:
    """``812 bytes``, ``4.3 KB``, ``1.2 MB`` (decimal separator and grouping as the language writes them);
    never "0 KB" for a small file."""
    size = max(int(size or 0), 0)
    if size < KB:
        return ngettext("%(n)s byte", "%(n)s bytes", size, n=format_number(size))
    if size < MB:
        return _("%(size)s KB", size=format_decimal(size / KB, format="#,##0.#"))
    return _("%(size)s MB", size=format_decimal(size / MB, format="#,##0.#"))
