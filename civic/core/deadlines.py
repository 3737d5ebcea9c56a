"""The platform's legal clock: answer deadlines and the holiday calendar (pure functions, no Flask, no database).

One clock and one calendar for every module that waits for a state body's answer: bureau referrals,
petition answers, council recommendations. An appeal to a state body (a referral, a petition handed
to the responsible body) must be answered within 15 calendar days. The official may
extend the term once, to 30 days counted from the same start, for a reason from a fixed set.
While the case waits for the client (``awaiting_client``) the clock is stopped; that time is
excluded from the term. When the last day of the term is not a working day in Kazakhstan, the
deadline moves to the next working day.

Every instant going in or out is a timezone-aware ``datetime`` in UTC; days are counted on the
local calendar of ``Asia/Almaty`` (UTC+6 until 2024-02-29 18:00 UTC, UTC+5 since) using the
zone rules valid on each date. A deadline is the *end* of its local day, i.e. the last
microsecond before the next local midnight, expressed in UTC.

The rules and the decisions behind them are documented in ``docs/deadlines.md``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Protocol, runtime_checkable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "DEFAULT_TZ",
    "DUE_SOON_WINDOW",
    "EXTENDED_DAYS",
    "KZ_CALENDAR",
    "LEGAL_DAYS",
    "UTC",
    "ClockPause",
    "DayRule",
    "Extension",
    "ExtensionReason",
    "HolidayCalendar",
    "KazakhstanCalendar",
    "SlaError",
    "SlaStatus",
    "WorkingCalendar",
    "add_working_days",
    "compute_due",
    "days_overdue",
    "end_of_local_day",
    "extend",
    "is_working_day",
    "kz_calendar",
    "local_date",
    "merge_pauses",
    "next_working_day",
    "non_working_days",
    "remaining",
    "start_of_local_day",
    "status_at",
]

DEFAULT_TZ = "Asia/Almaty"
LEGAL_DAYS = 15
EXTENDED_DAYS = 30
DUE_SOON_WINDOW = timedelta(days=3)

_ONE_DAY = timedelta(days=1)
_TICK = timedelta(microseconds=1)
# A calendar with no working day for this long is broken; refuse instead of looping forever.
_MAX_NON_WORKING_RUN = 366


# --------------------------------------------------------------------------- errors and enums


class SlaError(ValueError):
    """A deadline rule was violated or an input is unusable.

    ``code`` is a stable machine-readable identifier (e.g. ``"already_extended"``) that services
    map to translated, user-facing messages; ``str(exc)`` is an English developer message.
    """

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


class ExtensionReason(StrEnum):
    """The fixed set of reasons for which the official may extend the term (once)."""

    SITE_VISIT = "site_visit"
    ANALYSIS = "analysis"
    COMMISSION = "commission"


class DayRule(StrEnum):
    """How the days of the term are counted."""

    CALENDAR = "calendar"
    WORKING = "working"


class SlaStatus(StrEnum):
    ON_TIME = "on_time"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    PAUSED = "paused"


# --------------------------------------------------------------------------- input validation


def _utc(value: object, name: str) -> datetime:
    """Return ``value`` as an aware UTC datetime; refuse naive datetimes and non-datetimes.

    An aware datetime with another offset denotes the same instant and is converted.
    """
    if not isinstance(value, datetime):
        raise SlaError("not_datetime", f"{name} must be a timezone-aware datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise SlaError("naive_datetime", f"{name} must be timezone-aware (UTC), got naive {value.isoformat()}")
    return value.astimezone(UTC)


def _day(value: object, name: str) -> date:
    # datetime is a subclass of date: refuse it so an instant is never silently read as a local day.
    if not isinstance(value, date) or isinstance(value, datetime):
        raise SlaError("not_date", f"{name} must be a datetime.date, got {type(value).__name__}")
    return value


def _zone(tz: str | tzinfo) -> tzinfo:
    if isinstance(tz, tzinfo):
        return tz
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise SlaError("unknown_time_zone", f"unknown time zone {tz!r}") from exc


def _positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SlaError("invalid_days", f"{name} must be a positive integer, got {value!r}")
    return value


# --------------------------------------------------------------------------- local days


def local_date(instant_utc: datetime, tz: str | tzinfo = DEFAULT_TZ) -> date:
    """The local calendar date of an instant in ``tz``."""
    return _utc(instant_utc, "instant_utc").astimezone(_zone(tz)).date()


def start_of_local_day(day: date, tz: str | tzinfo = DEFAULT_TZ) -> datetime:
    """The first instant (UTC) whose local date in ``tz`` is ``day``.

    Correct on days with an offset change: on 2024-02-29 in Asia/Almaty the hour 23:00-24:00 was
    lived twice (UTC+6, then UTC+5), so that day started at 18:00 UTC on the 28th and lasted 25 h.
    """
    return _day_start(_day(day, "day"), _zone(tz))


@functools.lru_cache(maxsize=8192)
def _day_start(day: date, zone: tzinfo) -> datetime:
    candidates = []
    for fold in (0, 1):
        instant = datetime.combine(day, time(0), tzinfo=zone).replace(fold=fold).astimezone(UTC)
        if instant.astimezone(zone).date() == day:
            candidates.append(instant)
    if candidates:
        instant = min(candidates)
        if (instant - _TICK).astimezone(zone).date() < day:
            return instant
    else:  # local midnight does not exist (a gap swallowed it): start from a point inside the day
        instant = datetime.combine(day, time(12), tzinfo=zone).astimezone(UTC)
    # Rare zones whose transitions straddle midnight: bisect for the first instant of the day.
    low, high = instant - 2 * _ONE_DAY, instant  # local date(low) < day <= local date(high)
    while high - low > _TICK:
        mid = low + (high - low) / 2
        if mid.astimezone(zone).date() < day:
            low = mid
        else:
            high = mid
    return high


def end_of_local_day(day: date, tz: str | tzinfo = DEFAULT_TZ) -> datetime:
    """The last instant (UTC, microsecond resolution) whose local date in ``tz`` is ``day``."""
    return start_of_local_day(_day(day, "day") + _ONE_DAY, tz) - _TICK


# --------------------------------------------------------------------------- working-day calendars


@runtime_checkable
class WorkingCalendar(Protocol):
    """Anything that says whether a local date is a working day.

    ``HolidayCalendar``, ``KazakhstanCalendar`` and ``holidays.HolidayBase`` instances
    (e.g. ``holidays.KZ()``) all qualify.
    """

    def is_working_day(self, day: date, /) -> bool: ...


@dataclass(frozen=True, slots=True)
class HolidayCalendar:
    """An immutable working-day calendar.

    A weekday is a working day unless it is in ``days_off``; a weekend day (``weekend`` holds
    ``date.weekday()`` numbers, Saturday=5, Sunday=6) is a working day only when it is in
    ``weekend_workdays`` (a Saturday or Sunday made a working day by a transfer of days off).
    When ``years`` is set the calendar only knows those years (inclusive) and refuses other dates
    rather than silently treating them as holiday-free.
    """

    days_off: frozenset[date] = frozenset()
    weekend_workdays: frozenset[date] = frozenset()
    weekend: frozenset[int] = frozenset({5, 6})
    years: tuple[int, int] | None = None

    def covers(self, day: date) -> bool:
        return self.years is None or self.years[0] <= day.year <= self.years[1]

    def is_working_day(self, day: date, /) -> bool:
        if not self.covers(day):
            raise SlaError(
                "calendar_out_of_range",
                f"{day.isoformat()} is outside the calendar's years {self.years[0]}-{self.years[1]}",
            )
        if day.weekday() in self.weekend:
            return day in self.weekend_workdays
        return day not in self.days_off

    def with_changes(
        self, *, extra_days_off: Iterable[date] = (), extra_working_days: Iterable[date] = ()
    ) -> HolidayCalendar:
        """A copy with government-decreed changes the ``holidays`` package does not know yet.

        ``extra_days_off`` become non-working; ``extra_working_days`` become working (a weekend
        day becomes a transferred working day; a listed holiday is no longer a day off).
        """
        extra_off = frozenset(_day(d, "extra_days_off item") for d in extra_days_off)
        extra_work = frozenset(_day(d, "extra_working_days item") for d in extra_working_days)
        if both := extra_off & extra_work:
            raise SlaError("conflicting_calendar_change", f"dates both off and working: {sorted(both)}")
        return HolidayCalendar(
            days_off=(self.days_off | extra_off) - extra_work,
            weekend_workdays=(self.weekend_workdays | extra_work) - extra_off,
            weekend=self.weekend,
            years=self.years,
        )


@functools.lru_cache(maxsize=64)
def _kz_years(first_year: int, last_year: int) -> HolidayCalendar:
    import holidays  # imported lazily: only needed when a Kazakhstan calendar is built

    # Build one extra year before the range so that days off carried over from the previous
    # year (an "observed" holiday or a cross-year transfer) are not lost, then keep the range.
    source = holidays.country_holidays("KZ", years=range(first_year - 1, last_year + 1))
    if first_year < source.start_year or last_year > source.end_year:
        raise SlaError(
            "calendar_out_of_range",
            f"the holidays package knows Kazakhstan's holidays for {source.start_year}-{source.end_year} only",
        )
    in_range = range(first_year, last_year + 1)
    return HolidayCalendar(
        days_off=frozenset(d for d in source if d.year in in_range),
        weekend_workdays=frozenset(d for d in source.weekend_workdays if d.year in in_range),
        weekend=frozenset(source.weekend),
        years=(first_year, last_year),
    )


def kz_calendar(first_year: int, last_year: int | None = None) -> HolidayCalendar:
    """Kazakhstan's working-day calendar for ``first_year``..``last_year`` (inclusive), cached.

    Days off are the public holidays of the ``holidays`` package (including the "observed"
    weekdays that replace holidays falling on a weekend and days off transferred by government
    decree); ``weekend_workdays`` are the Saturdays/Sundays made working days by those transfers.
    """
    last_year = first_year if last_year is None else last_year
    if not (isinstance(first_year, int) and isinstance(last_year, int)) or first_year > last_year:
        raise SlaError("invalid_years", f"invalid year range {first_year!r}..{last_year!r}")
    return _kz_years(first_year, last_year)


@dataclass(frozen=True, slots=True)
class KazakhstanCalendar:
    """Kazakhstan's calendar for any year, built lazily and cached one year at a time."""

    def is_working_day(self, day: date, /) -> bool:
        return kz_calendar(day.year).is_working_day(day)


KZ_CALENDAR = KazakhstanCalendar()


def _calendar(calendar: WorkingCalendar | None) -> WorkingCalendar:
    return KZ_CALENDAR if calendar is None else calendar


def is_working_day(day: date, calendar: WorkingCalendar | None = None) -> bool:
    """Whether the local date ``day`` is a working day (Kazakhstan's calendar by default)."""
    return bool(_calendar(calendar).is_working_day(_day(day, "day")))


def next_working_day(day: date, calendar: WorkingCalendar | None = None) -> date:
    """``day`` itself when it is a working day, otherwise the first working day after it."""
    return add_working_days(day, 0, calendar)


def add_working_days(day: date, n: int, calendar: WorkingCalendar | None = None) -> date:
    """The ``n``-th working day after ``day`` (``day`` itself is never counted).

    Negative ``n`` counts backwards. ``n == 0`` returns ``day`` when it is a working day and
    otherwise the next working day (the same convention as ``holidays``' ``get_nth_working_day``).
    """
    cal = _calendar(calendar)
    current = _day(day, "day")
    if isinstance(n, bool) or not isinstance(n, int):
        raise SlaError("invalid_days", f"n must be an integer, got {n!r}")
    step = _ONE_DAY if n >= 0 else -_ONE_DAY
    for _ in range(abs(n) or 1):
        if n:
            current += step
        run = 0
        while not cal.is_working_day(current):
            current += step
            run += 1
            if run > _MAX_NON_WORKING_RUN:
                raise SlaError("no_working_day", f"no working day within a year of {day.isoformat()}")
    return current


def non_working_days(start: date, end: date, calendar: WorkingCalendar | None = None) -> tuple[date, ...]:
    """All non-working days in ``start``..``end`` (inclusive), e.g. to hand to an SQL sweep."""
    cal = _calendar(calendar)
    current, end = _day(start, "start"), _day(end, "end")
    found = []
    while current <= end:
        if not cal.is_working_day(current):
            found.append(current)
        current += _ONE_DAY
    return tuple(found)


# --------------------------------------------------------------------------- clock stops


@dataclass(frozen=True, slots=True)
class ClockPause:
    """An interval during which the clock was stopped (the case was ``awaiting_client``).

    ``end_utc is None`` means the clock is still stopped. Both ends are normalised to UTC.
    """

    start_utc: datetime
    end_utc: datetime | None = None

    def __post_init__(self) -> None:
        start = _utc(self.start_utc, "ClockPause.start_utc")
        object.__setattr__(self, "start_utc", start)
        if self.end_utc is not None:
            end = _utc(self.end_utc, "ClockPause.end_utc")
            if end < start:
                raise SlaError(
                    "invalid_pause", f"clock pause ends ({end.isoformat()}) before it starts ({start.isoformat()})"
                )
            object.__setattr__(self, "end_utc", end)

    @property
    def is_open(self) -> bool:
        return self.end_utc is None


def merge_pauses(pauses: Iterable[ClockPause], *, resume_at_utc: datetime | None = None) -> tuple[ClockPause, ...]:
    """Sort pauses and merge the ones that overlap or touch (their union: stopped time counts once).

    With ``resume_at_utc`` an open pause is treated as ending at that instant ("if the client
    answered now"); it must not be earlier than the pause's start.
    """
    resume = None if resume_at_utc is None else _utc(resume_at_utc, "resume_at_utc")
    items = []
    for pause in pauses:
        if not isinstance(pause, ClockPause):
            raise SlaError("invalid_pause", f"expected ClockPause, got {type(pause).__name__}")
        if pause.end_utc is None and resume is not None:
            if resume < pause.start_utc:
                raise SlaError("invalid_pause", "resume_at_utc is before the start of the open clock pause")
            pause = ClockPause(pause.start_utc, resume)
        items.append(pause)
    items.sort(key=lambda p: p.start_utc)
    merged: list[ClockPause] = []
    for pause in items:
        if merged:
            last = merged[-1]
            if last.end_utc is None or pause.start_utc <= last.end_utc:
                end = None if last.end_utc is None or pause.end_utc is None else max(last.end_utc, pause.end_utc)
                merged[-1] = ClockPause(last.start_utc, end)
                continue
        merged.append(pause)
    return tuple(merged)


# --------------------------------------------------------------------------- the running clock


@dataclass(frozen=True, slots=True)
class _Clock:
    """Measures time that counts towards the term: all of it, or only time on working days."""

    rule: DayRule
    zone: tzinfo
    calendar: WorkingCalendar

    def counted(self, start: datetime, end: datetime) -> timedelta:
        if end <= start:
            return timedelta(0)
        if self.rule is DayRule.CALENDAR:
            return end - start
        total = timedelta(0)
        day = start.astimezone(self.zone).date()
        last = (end - _TICK).astimezone(self.zone).date()
        while day <= last:
            if self.calendar.is_working_day(day):
                lo = max(start, start_of_local_day(day, self.zone))
                hi = min(end, start_of_local_day(day + _ONE_DAY, self.zone))
                total += hi - lo
            day += _ONE_DAY
        return total

    def advance(self, start: datetime, amount: timedelta) -> datetime:
        """The earliest instant at which ``amount`` of counted time has run since ``start``."""
        if amount <= timedelta(0):
            return start
        if self.rule is DayRule.CALENDAR:
            return start + amount
        day = start.astimezone(self.zone).date()
        run = 0
        while True:
            if self.calendar.is_working_day(day):
                run = 0
                lo = max(start, start_of_local_day(day, self.zone))
                hi = start_of_local_day(day + _ONE_DAY, self.zone)
                if hi - lo >= amount:
                    return lo + amount
                amount -= hi - lo
            else:
                run += 1
                if run > _MAX_NON_WORKING_RUN:
                    raise SlaError("no_working_day", f"no working day within a year of {day.isoformat()}")
            day += _ONE_DAY


# --------------------------------------------------------------------------- deadlines


def compute_due(
    opened_at_utc: datetime,
    *,
    days: int = LEGAL_DAYS,
    extended: bool = False,
    extended_days: int = EXTENDED_DAYS,
    pauses: Sequence[ClockPause] = (),
    rule: DayRule | str = DayRule.CALENDAR,
    roll_to_working_day: bool = True,
    tz: str | tzinfo = DEFAULT_TZ,
    calendar: WorkingCalendar | None = None,
    resume_at_utc: datetime | None = None,
) -> datetime | None:
    """The deadline (aware UTC, end of a local day) of a term opened at ``opened_at_utc``.

    * The term is ``days`` long, or ``extended_days`` once extended; both are counted from the
      local day after the opening (the opening day itself is not counted).
    * ``rule="calendar"``: the due day is the opening day + N; ``rule="working"``: the N-th
      working day after the opening day.
    * Clock stops: counted time spent inside a pause is excluded, i.e. the instant at which the
      clock runs out moves later by the stopped time (only the working-day part of it under the
      working rule). The due day is the local day in which the clock runs out, so a stop of any
      length moves the deadline by at least one day. Pauses are merged (union); the part before
      the opening is ignored. A stop that begins after the clock ran out but before the
      deadline (later that day, or during the roll over non-working days) still counts: when the
      clock restarts the deadline is the end of that (working) day. A stop that begins after the
      deadline is ignored.
    * ``roll_to_working_day``: a due day that is not a working day moves to the next working day
      (Kazakhstan's rule for the last day of a period). No-op under the working rule.
    * Returns ``None`` while the clock is stopped (an open pause that began before the deadline):
      the deadline is undefined until the client answers. Pass ``resume_at_utc`` to get the
      deadline as if the client answered at that instant.
    """
    opened = _utc(opened_at_utc, "opened_at_utc")
    days = _positive_int(days, "days")
    extended_days = _positive_int(extended_days, "extended_days")
    if extended_days <= days:
        raise SlaError("invalid_days", f"extended_days ({extended_days}) must exceed days ({days})")
    try:
        rule = DayRule(rule)
    except ValueError:
        raise SlaError("invalid_rule", f"unknown day rule {rule!r}; use 'calendar' or 'working'") from None
    zone = _zone(tz)
    cal = _calendar(calendar)
    term = extended_days if extended else days

    opening_day = opened.astimezone(zone).date()
    if rule is DayRule.CALENDAR:
        base_day = opening_day + timedelta(days=term)
    else:
        base_day = add_working_days(opening_day, term, cal)

    def due_day_when_clock_runs_out(runs_out: datetime) -> date:
        day = (runs_out - _TICK).astimezone(zone).date()
        return next_working_day(day, cal) if roll_to_working_day else day

    merged = merge_pauses(pauses, resume_at_utc=resume_at_utc)
    if not merged:
        return end_of_local_day(due_day_when_clock_runs_out(start_of_local_day(base_day + _ONE_DAY, zone)), zone)

    # Run the clock from the opening, stopping it during each pause, until the time the term
    # allows (``left``) is spent.
    clock = _Clock(rule, zone, cal)
    now = opened
    left = clock.counted(opened, start_of_local_day(base_day + _ONE_DAY, zone))
    for pause in merged:
        stop = max(pause.start_utc, opened)
        if pause.end_utc is not None and pause.end_utc <= stop:
            continue  # entirely before the opening
        if stop > now:
            ran = clock.counted(now, stop)
            if ran < left:
                left -= ran
            else:
                # The clock ran out before this stop, but the deadline is only at the end of that
                # day (rolled to a working day). A stop that begins before the deadline still
                # keeps the case from going overdue: when the clock restarts, the deadline is the
                # end of that (working) day. No time is carried over (the grace is not time on the
                # clock), which keeps the deadline monotone in the stopped time. A stop that begins
                # after the deadline is ignored: the case is already overdue.
                deadline = start_of_local_day(due_day_when_clock_runs_out(clock.advance(now, left)) + _ONE_DAY, zone)
                if stop >= deadline:
                    break
                left = _TICK
            now = stop
        if pause.end_utc is None:
            return None
        now = max(now, pause.end_utc)
    due_day = due_day_when_clock_runs_out(clock.advance(now, left))
    return end_of_local_day(due_day, zone)


@dataclass(frozen=True, slots=True)
class Extension:
    """A recorded, validated extension of the term."""

    reason: ExtensionReason
    at_utc: datetime
    note: str = field(default="")


def extend(
    reason: ExtensionReason | str | None,
    *,
    at_utc: datetime,
    already_extended: bool = False,
    due_utc: datetime | None = None,
    note: str = "",
) -> Extension:
    """Validate an extension request and return the ``Extension`` to record.

    Refuses (``SlaError``) a second extension (``already_extended``), a missing reason, a reason
    outside ``ExtensionReason``, and, when the current deadline ``due_utc`` is given, an
    extension decided after that deadline has passed. After recording it, compute the deadline
    with ``compute_due(..., extended=True)``.
    """
    at = _utc(at_utc, "at_utc")
    if already_extended:
        raise SlaError("already_extended", "the term has already been extended once; it cannot be extended again")
    if reason is None or (isinstance(reason, str) and not reason.strip()):
        raise SlaError("reason_required", "an extension needs a reason: " + ", ".join(r.value for r in ExtensionReason))
    try:
        parsed = ExtensionReason(reason.strip() if isinstance(reason, str) else reason)
    except ValueError:
        raise SlaError(
            "unknown_reason",
            f"unknown extension reason {reason!r}; use one of " + ", ".join(r.value for r in ExtensionReason),
        ) from None
    if due_utc is not None and at > _utc(due_utc, "due_utc"):
        raise SlaError("extension_after_due", "the term can only be extended before its deadline has passed")
    if not isinstance(note, str):
        raise SlaError("invalid_note", "note must be a string")
    return Extension(reason=parsed, at_utc=at, note=note.strip())


# --------------------------------------------------------------------------- status


def status_at(now_utc: datetime, due_utc: datetime | None, due_soon_window: timedelta = DUE_SOON_WINDOW) -> SlaStatus:
    """``overdue`` once ``now`` is past the deadline, ``due_soon`` within ``due_soon_window``
    before it (inclusive), otherwise ``on_time``; ``paused`` when the deadline is ``None``."""
    now = _utc(now_utc, "now_utc")
    if not isinstance(due_soon_window, timedelta) or due_soon_window < timedelta(0):
        raise SlaError("invalid_window", "due_soon_window must be a non-negative timedelta")
    if due_utc is None:
        return SlaStatus.PAUSED
    due = _utc(due_utc, "due_utc")
    if now > due:
        return SlaStatus.OVERDUE
    if due - now <= due_soon_window:
        return SlaStatus.DUE_SOON
    return SlaStatus.ON_TIME


def days_overdue(now_utc: datetime, due_utc: datetime | None, tz: str | tzinfo = DEFAULT_TZ) -> int:
    """Local calendar days by which the deadline is exceeded: 0 when not overdue or paused,
    1 on the local day after the due day, and so on (at least 1 once ``now`` is past ``due``)."""
    now = _utc(now_utc, "now_utc")
    if due_utc is None:
        return 0
    due = _utc(due_utc, "due_utc")
    if now <= due:
        return 0
    zone = _zone(tz)
    return max(1, (now.astimezone(zone).date() - due.astimezone(zone).date()).days)


def remaining(now_utc: datetime, due_utc: datetime | None) -> timedelta | None:
    """Time left until the deadline (negative once overdue); ``None`` while the clock is stopped."""
    now = _utc(now_utc, "now_utc")
    if due_utc is None:
        return None
    return _utc(due_utc, "due_utc") - now
