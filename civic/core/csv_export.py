"""The platform's one CSV writer: every export goes through it, so no cell can start a spreadsheet formula.

A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a line break gets a leading apostrophe (OWASP's
CSV-injection advice), so a spreadsheet shows it as text. Numbers (``int``, ``float``, ``Decimal``) are written as
they are: a negative figure is data, not a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

from flask import Response

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value) -> str:
    """The cell as text, with a leading apostrophe when it would start a formula (numbers stay as they are)."""
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return repr(value) if isinstance(value, float) else str(value)
    text = str(value)
    return "'" + text if text[:1] in FORMULA_STARTS else text


class SafeWriter:
    """``csv.writer`` (or ``csv.DictWriter`` when ``fieldnames`` is given) that neutralises every cell."""

    def __init__(self, buffer, fieldnames: Iterable[str] | None = None):
        self.fieldnames = list(fieldnames) if fieldnames is not None else None
        self._writer = csv.writer(buffer)

    def writeheader(self) -> None:
        self._writer.writerow([safe_cell(name) for name in self.fieldnames or ()])

    def writerow(self, row) -> None:
        if isinstance(row, dict):
            row = [row.get(name, "") for name in self.fieldnames or ()]
        self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)


def to_csv(rows: Iterable, header: Iterable[str] | None = None) -> str:
    buffer = io.StringIO()
    writer = SafeWriter(buffer)
    if header is not None:
        writer.writerow(list(header))
    writer.writerows(rows)
    return buffer.getvalue()


def csv_response(body: str, filename: str, cache_control: str, bom: bool = True) -> Response:
    """A CSV download (UTF-8 with a BOM by default, so spreadsheets show Kazakh and Russian letters)."""
    data = body.encode("utf-8-sig" if bom else "utf-8")
    return Response(
        data,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": cache_control},
    )
