"""The bureau's notion of "now": real UTC time, or a fixed instant while demo data or tests replay the past."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from civic.db import utc_now

_frozen: contextvars.ContextVar[datetime | None] = contextvars.ContextVar("bureau_frozen_now", default=None)


def now() -> datetime:
    """The current instant (aware UTC), unless a caller froze it with ``frozen_at``."""
    return _frozen.get() or utc_now()


@contextmanager
def frozen_at(instant: datetime) -> Iterator[datetime]:
    """Make ``now()`` return ``instant`` inside the block (demo seeding, tests, sweeps with ``--now``)."""
    if instant.tzinfo is None:
        raise ValueError("frozen_at needs an aware datetime")
    token = _frozen.set(instant)
    try:
        yield instant
    finally:
        _frozen.reset(token)


def add_months(instant: datetime, months: int) -> datetime:
    """``instant`` moved by whole calendar months, clamping the day (31 August + 6 months = 28/29 February)."""
    month_index = instant.month - 1 + months
    year, month = instant.year + month_index // 12, month_index % 12 + 1
    for day in range(instant.day, 27, -1):
        try:
            return instant.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    return instant.replace(year=year, month=month, day=min(instant.day, 28))
