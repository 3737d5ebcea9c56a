"""Unit tests of the platform's legal clock, `civic.core.deadlines` (pure: no Flask app, no database).

Expected values were worked out by hand from the calendar and the rules in
docs/deadlines.md; local times are Asia/Almaty (UTC+6 until 2024-02-29 18:00 UTC,
UTC+5 since), so the end of a local day is 17:59:59.999999Z before the change and
18:59:59.999999Z after it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civic.core import deadlines
from civic.core.deadlines import (
    KZ_CALENDAR,
    ClockPause,
    DayRule,
    Extension,
    ExtensionReason,
    HolidayCalendar,
    SlaError,
    SlaStatus,
    add_working_days,
    compute_due,
    days_overdue,
    end_of_local_day,
    extend,
    is_working_day,
    kz_calendar,
    local_date,
    merge_pauses,
    next_working_day,
    non_working_days,
    remaining,
    start_of_local_day,
    status_at,
)

ALMATY = ZoneInfo("Asia/Almaty")
FAST = settings(max_examples=40, deadline=None, database=None)


def Z(text: str) -> datetime:
    """Parse an ISO instant written with a trailing Z."""
    value = datetime.fromisoformat(text)
    assert value.tzinfo is not None
    return value.astimezone(UTC)


def D(text: str) -> date:
    return date.fromisoformat(text)


def opened_local(day: str, hour: int = 10) -> datetime:
    """An opening instant at ``hour`` o'clock Almaty time on ``day``, as UTC."""
    return datetime.combine(D(day), datetime.min.time().replace(hour=hour), tzinfo=ALMATY).astimezone(UTC)


# --------------------------------------------------------------------------- the time zone


class TestAlmatyZone:
    def test_tz_database_knows_the_2024_change(self):
        # A stale tz database (before tzdata 2024a) would still say UTC+6 here.
        assert datetime(2024, 2, 29, 12, tzinfo=ALMATY).utcoffset() == timedelta(hours=6)
        assert datetime(2024, 3, 1, 12, tzinfo=ALMATY).utcoffset() == timedelta(hours=5)

    def test_local_date_around_the_change(self):
        assert local_date(Z("2024-02-29T17:59:59.999999Z")) == D("2024-02-29")  # 23:59:59 +06
        assert local_date(Z("2024-02-29T18:00:00Z")) == D("2024-02-29")  # 23:00 again, now +05
        assert local_date(Z("2024-02-29T18:59:59.999999Z")) == D("2024-02-29")
        assert local_date(Z("2024-02-29T19:00:00Z")) == D("2024-03-01")

    def test_the_day_of_the_change_lasts_25_hours(self):
        assert start_of_local_day(D("2024-02-29")) == Z("2024-02-28T18:00:00Z")
        assert end_of_local_day(D("2024-02-29")) == Z("2024-02-29T18:59:59.999999Z")
        assert start_of_local_day(D("2024-03-01")) - start_of_local_day(D("2024-02-29")) == timedelta(hours=25)

    def test_day_bounds_before_and_after(self):
        assert end_of_local_day(D("2024-02-28")) == Z("2024-02-28T17:59:59.999999Z")
        assert end_of_local_day(D("2024-03-01")) == Z("2024-03-01T18:59:59.999999Z")
        assert end_of_local_day(D("2023-12-31")) == Z("2023-12-31T17:59:59.999999Z")
        assert start_of_local_day(D("2025-06-01")) == Z("2025-05-31T19:00:00Z")

    def test_other_zones_with_midnight_transitions(self):
        # Sao Paulo's DST used to start at local midnight (00:00 -> 01:00) ...
        assert start_of_local_day(D("2018-11-04"), "America/Sao_Paulo") == Z("2018-11-04T03:00:00Z")
        assert end_of_local_day(D("2018-11-04"), "America/Sao_Paulo") == Z("2018-11-05T01:59:59.999999Z")
        # ... and end at midnight (00:00 -> 23:00 the day before, which lasts 25 h).
        assert end_of_local_day(D("2019-02-16"), "America/Sao_Paulo") == Z("2019-02-17T02:59:59.999999Z")
        # Samoa skipped 30 December 2011 entirely.
        assert end_of_local_day(D("2011-12-29"), "Pacific/Apia") == Z("2011-12-30T09:59:59.999999Z")
        assert start_of_local_day(D("2011-12-31"), "Pacific/Apia") == Z("2011-12-30T10:00:00Z")

    def test_transition_straddling_midnight(self):
        class Jump(tzinfo):
            """UTC+0 until 2030-01-01 23:30 UTC, then UTC+1: local 23:30 jumps to 00:30."""

            switch = datetime(2030, 1, 1, 23, 30)

            def utcoffset(self, dt):
                wall = dt.replace(tzinfo=None)
                if wall < self.switch:
                    return timedelta(0)
                if wall >= self.switch + timedelta(hours=1):
                    return timedelta(hours=1)
                return timedelta(0) if dt.fold == 0 else timedelta(hours=1)

            def dst(self, dt):
                return timedelta(0)

            def tzname(self, dt):
                return "JUMP"

            def fromutc(self, dt):
                wall = dt.replace(tzinfo=None)
                return (wall + (timedelta(0) if wall < self.switch else timedelta(hours=1))).replace(tzinfo=self)

        jump = Jump()
        assert start_of_local_day(D("2030-01-02"), jump) == Z("2030-01-01T23:30:00Z")
        assert end_of_local_day(D("2030-01-01"), jump) == Z("2030-01-01T23:29:59.999999Z")

    def test_unknown_zone_is_refused(self):
        with pytest.raises(SlaError) as err:
            local_date(Z("2025-01-01T00:00:00Z"), "Asia/Nowhere")
        assert err.value.code == "unknown_time_zone"


# --------------------------------------------------------------------------- the KZ calendar


class TestKazakhstanCalendar:
    @pytest.mark.parametrize(
        "day",
        [
            "2025-01-01",
            "2025-01-02",
            "2025-01-03",  # New Year + the day off moved from Sun 5 Jan
            "2025-01-07",  # Orthodox Christmas
            "2025-03-10",  # 8 March fell on a Saturday -> observed Monday
            "2025-03-21",
            "2025-03-24",
            "2025-03-25",  # Nauryz (22-23 were Sat/Sun -> 24, 25)
            "2025-05-01",
            "2025-05-07",
            "2025-05-09",
            "2025-06-06",  # Kurban ait (confirmed date)
            "2025-07-07",  # 6 July was a Sunday -> observed Monday
            "2025-09-01",  # 30 August (Constitution Day) was a Saturday -> observed Monday
            "2025-10-27",  # 25 October was a Saturday -> observed Monday
            "2025-12-16",
            "2024-03-08",
            "2024-03-21",
            "2024-03-22",
            "2024-03-25",
            "2024-05-07",
            "2024-05-08",
            "2024-05-09",  # 8 May 2024: day off moved from Sat 4 May
            "2024-07-08",
            "2024-08-30",
            "2024-10-25",
            "2024-12-16",
            "2026-01-01",
            "2026-01-02",
            "2026-03-09",
            "2026-03-23",
            "2026-03-24",
            "2026-03-25",
            "2026-05-01",
            "2026-05-07",
            "2026-05-11",
            "2026-05-27",  # 27 May 2026: estimated Kurban ait
            "2026-07-06",
            "2026-10-26",
            "2026-12-16",
            "2027-03-15",  # Constitution Day moves to 15 March from 2027
        ],
    )
    def test_days_off(self, day):
        assert not is_working_day(D(day))

    @pytest.mark.parametrize(
        "day",
        [
            "2025-01-05",  # a Sunday made a working day (transfer to 3 January)
            "2024-05-04",  # a Saturday made a working day (transfer to 8 May)
            "2013-12-28",  # a Saturday worked for the 3 January 2014 day off (cross-year transfer)
            "2024-12-31",
            "2025-03-07",
            "2025-03-26",
            "2025-05-02",
            "2025-05-08",
            "2025-06-05",
            "2026-08-31",  # the package has no Constitution Day in 2026 (30 Aug 2026 is a Sunday)
            "2026-05-26",
            "2026-05-28",
        ],
    )
    def test_working_days(self, day):
        assert is_working_day(D(day))

    def test_plain_weekends_are_off(self):
        assert not is_working_day(D("2025-01-04"))  # Saturday
        assert not is_working_day(D("2025-04-05"))
        assert not is_working_day(D("2025-04-06"))

    def test_package_data_for_2025_and_2026(self):
        cal25 = kz_calendar(2025)
        assert cal25.weekend_workdays == frozenset({D("2025-01-05")})
        assert D("2025-01-03") in cal25.days_off
        assert D("2025-06-06") in cal25.days_off
        cal26 = kz_calendar(2026)
        assert cal26.weekend_workdays == frozenset()
        assert D("2026-08-30") not in cal26.days_off
        assert D("2026-05-27") in cal26.days_off
        assert kz_calendar(2024).weekend_workdays == frozenset({D("2024-05-04")})
        assert kz_calendar(2013).weekend_workdays == frozenset({D("2013-05-04"), D("2013-10-12"), D("2013-12-28")})

    def test_agrees_with_the_holidays_package(self):
        package = holidays.country_holidays("KZ", years=range(2024, 2027))
        day = D("2024-01-01")
        while day <= D("2026-12-31"):
            assert is_working_day(day) == package.is_working_day(day), day
            day += timedelta(days=1)

    def test_calendars_are_cached(self):
        assert kz_calendar(2025) is kz_calendar(2025, 2025)
        assert kz_calendar(2024, 2026) is kz_calendar(2024, 2026)

    def test_years_the_package_does_not_know_are_refused(self):
        for year in (1990, 2101):
            with pytest.raises(SlaError) as err:
                kz_calendar(year)
            assert err.value.code == "calendar_out_of_range"
        assert len(kz_calendar(1991).days_off) == 6

    def test_ranged_calendar_refuses_other_years(self):
        cal = kz_calendar(2024, 2025)
        assert cal.is_working_day(D("2025-12-31"))
        with pytest.raises(SlaError) as err:
            cal.is_working_day(D("2026-01-05"))
        assert err.value.code == "calendar_out_of_range"
        with pytest.raises(SlaError):
            kz_calendar(2026, 2025)

    def test_decreed_changes_the_package_does_not_know(self):
        cal = kz_calendar(2026).with_changes(extra_days_off=[D("2026-01-05")], extra_working_days=[D("2026-01-10")])
        assert not cal.is_working_day(D("2026-01-05"))  # a Monday made a day off
        assert cal.is_working_day(D("2026-01-10"))  # a Saturday made a working day
        assert add_working_days(D("2026-01-02"), 1, cal) == D("2026-01-06")
        with pytest.raises(SlaError) as err:
            cal.with_changes(extra_days_off=[D("2026-01-12")], extra_working_days=[D("2026-01-12")])
        assert err.value.code == "conflicting_calendar_change"

    def test_non_working_days_for_an_sql_sweep(self):
        assert non_working_days(D("2025-03-19"), D("2025-03-27")) == (
            D("2025-03-21"),
            D("2025-03-22"),
            D("2025-03-23"),
            D("2025-03-24"),
            D("2025-03-25"),
        )
        assert non_working_days(D("2025-01-01"), D("2025-01-06")) == (
            D("2025-01-01"),
            D("2025-01-02"),
            D("2025-01-03"),
            D("2025-01-04"),
        )


# --------------------------------------------------------------------------- working-day arithmetic


class TestWorkingDayArithmetic:
    @pytest.mark.parametrize(
        ("start", "n", "expected"),
        [
            ("2025-03-20", 1, "2025-03-26"),  # over Nauryz 21-25 March
            ("2024-05-03", 1, "2024-05-04"),  # the working Saturday
            ("2024-05-03", 2, "2024-05-06"),
            ("2024-05-03", 3, "2024-05-10"),  # 7, 8, 9 May off
            ("2024-12-30", 3, "2025-01-06"),  # 31 Dec, (1-4 Jan off), the working Sunday 5 Jan, 6 Jan
            ("2025-01-31", 1, "2025-02-03"),
            ("2024-02-28", 2, "2024-03-01"),  # leap year
            ("2025-02-27", 2, "2025-03-03"),
            ("2025-12-31", 1, "2026-01-05"),
            ("2025-03-14", 15, "2025-04-09"),
            ("2025-03-22", 0, "2025-03-26"),  # 0: the next working day when not a working day
            ("2025-03-26", 0, "2025-03-26"),  # 0: itself when a working day
            ("2025-03-26", -1, "2025-03-20"),
            ("2025-01-06", -1, "2025-01-05"),
            ("2025-01-06", -2, "2024-12-31"),
        ],
    )
    def test_add_working_days(self, start, n, expected):
        assert add_working_days(D(start), n) == D(expected)

    def test_next_working_day(self):
        assert next_working_day(D("2025-08-30")) == D("2025-09-02")
        assert next_working_day(D("2025-09-02")) == D("2025-09-02")

    def test_custom_calendar_and_holidays_instance(self):
        plain = HolidayCalendar()  # Saturday/Sunday weekend only
        assert add_working_days(D("2025-03-20"), 1, plain) == D("2025-03-21")
        assert add_working_days(D("2025-03-20"), 1, holidays.KZ()) == D("2025-03-26")

    def test_calendar_without_working_days_is_refused(self):
        never = HolidayCalendar(weekend=frozenset(range(7)))
        with pytest.raises(SlaError) as err:
            add_working_days(D("2025-01-01"), 1, never)
        assert err.value.code == "no_working_day"

    def test_bad_arguments(self):
        with pytest.raises(SlaError):
            add_working_days(datetime(2025, 1, 1, tzinfo=UTC), 1)  # an instant is not a local day
        with pytest.raises(SlaError):
            add_working_days(D("2025-01-01"), 1.5)

    @FAST
    @given(
        start=st.dates(min_value=D("2020-01-01"), max_value=D("2030-06-30")),
        n=st.integers(min_value=0, max_value=40),
    )
    def test_properties(self, start, n):
        end = add_working_days(start, n)
        assert is_working_day(end)
        assert end >= start
        if n:
            counted = sum(1 for i in range(1, (end - start).days + 1) if is_working_day(start + timedelta(days=i)))
            assert counted == n
            if is_working_day(start):
                assert add_working_days(end, -n) == start


# --------------------------------------------------------------------------- legal deadline (calendar days)


class TestCalendarDeadline:
    def test_fifteen_days_plain(self):
        # Opened Tue 1 April 2025 10:00 -> the 15th day after is Wed 16 April.
        assert compute_due(Z("2025-04-01T05:00:00Z")) == Z("2025-04-16T18:59:59.999999Z")

    def test_opening_day_is_not_counted_whatever_the_time(self):
        assert compute_due(opened_local("2025-04-01", 0)) == Z("2025-04-16T18:59:59.999999Z")
        assert compute_due(Z("2025-04-01T18:59:59.999999Z")) == Z("2025-04-16T18:59:59.999999Z")  # 23:59:59 local
        assert compute_due(Z("2025-04-01T19:00:00Z")) == Z("2025-04-17T18:59:59.999999Z")  # 00:00 on the 2nd

    def test_non_utc_aware_input_is_the_same_instant(self):
        assert compute_due(datetime(2025, 4, 1, 10, tzinfo=ALMATY)) == Z("2025-04-16T18:59:59.999999Z")
        result = compute_due(Z("2025-04-01T05:00:00Z"))
        assert result.tzinfo is UTC

    @pytest.mark.parametrize(
        ("opened", "roll", "expected"),
        [
            # 31 January + 15 = Sat 15 February -> Mon 17 February.
            ("2025-01-31", False, "2025-02-15T18:59:59.999999Z"),
            ("2025-01-31", True, "2025-02-17T18:59:59.999999Z"),
            # February of a non-leap year: 14 Feb + 15 = Sat 1 March -> Mon 3 March.
            ("2025-02-14", False, "2025-03-01T18:59:59.999999Z"),
            ("2025-02-14", True, "2025-03-03T18:59:59.999999Z"),
            ("2025-02-20", True, "2025-03-07T18:59:59.999999Z"),  # Fri 7 March is a working day
            # February of leap years (2024 also changes zone on 1 March).
            ("2024-02-14", True, "2024-02-29T18:59:59.999999Z"),
            ("2024-02-15", True, "2024-03-01T18:59:59.999999Z"),
            ("2028-02-14", True, "2028-02-29T18:59:59.999999Z"),
            ("2028-02-15", True, "2028-03-01T18:59:59.999999Z"),
            ("2023-02-13", True, "2023-02-28T17:59:59.999999Z"),  # UTC+6 back then
            ("2023-02-14", True, "2023-03-01T17:59:59.999999Z"),
            # December -> January.
            ("2025-12-20", False, "2026-01-04T18:59:59.999999Z"),
            ("2025-12-20", True, "2026-01-05T18:59:59.999999Z"),  # Sun 4 Jan -> Mon 5 Jan
            ("2025-12-17", True, "2026-01-05T18:59:59.999999Z"),  # 1 Jan 2026 off; 2, 3, 4 too
            ("2024-12-17", True, "2025-01-05T18:59:59.999999Z"),  # -> the working Sunday 5 Jan 2025
            ("2023-12-31", True, "2024-01-15T17:59:59.999999Z"),
            # 30 / 31-day months.
            ("2025-04-30", True, "2025-05-15T18:59:59.999999Z"),
            ("2025-08-31", True, "2025-09-15T18:59:59.999999Z"),
        ],
    )
    def test_month_ends(self, opened, roll, expected):
        assert compute_due(opened_local(opened), roll_to_working_day=roll) == Z(expected)

    @pytest.mark.parametrize(
        ("opened", "expected_day", "holiday"),
        [
            ("2024-02-22", "2024-03-11", "8 March 2024 (Fri) + weekend"),
            ("2025-03-06", "2025-03-26", "Nauryz 2025: 21 (Fri) .. 25 (observed)"),
            ("2026-03-06", "2026-03-26", "Nauryz 2026: 21 (Sat) .. 25 (observed)"),
            ("2024-03-06", "2024-03-26", "Nauryz 2024: 21-23 + 25 observed"),
            ("2025-04-16", "2025-05-02", "1 May 2025 (Thu)"),
            ("2025-04-22", "2025-05-08", "7 May 2025 (Wed)"),
            ("2025-04-24", "2025-05-12", "9 May 2025 (Fri) + weekend"),
            ("2024-04-22", "2024-05-10", "7, 8 (moved), 9 May 2024"),
            ("2024-04-19", "2024-05-04", "Sat 4 May 2024 is a working day: no roll"),
            ("2025-05-22", "2025-06-09", "Kurban ait 6 June 2025 (Fri)"),
            ("2026-05-12", "2026-05-28", "Kurban ait 27 May 2026 (estimated)"),
            ("2025-06-21", "2025-07-08", "6 July 2025 (Sun) -> observed 7 July"),
            ("2025-08-15", "2025-09-02", "30 August 2025 (Sat) -> observed 1 September"),
            ("2025-10-10", "2025-10-28", "25 October 2025 (Sat) -> observed 27 October"),
            ("2025-12-01", "2025-12-17", "16 December 2025 (Tue)"),
            ("2024-12-23", "2025-01-08", "Orthodox Christmas 7 January 2025"),
            ("2026-08-15", "2026-08-31", "30 August 2026 is only a Sunday"),
        ],
    )
    def test_rolls_over_kz_holidays(self, opened, expected_day, holiday):
        due = compute_due(opened_local(opened))
        assert due == end_of_local_day(D(expected_day)), holiday
        assert local_date(due) == D(expected_day)

    def test_without_roll_the_last_day_stays(self):
        assert compute_due(opened_local("2025-03-06"), roll_to_working_day=False) == Z("2025-03-21T18:59:59.999999Z")

    def test_custom_calendar(self):
        plain = HolidayCalendar()
        assert compute_due(opened_local("2025-03-06"), calendar=plain) == Z("2025-03-21T18:59:59.999999Z")
        off = plain.with_changes(extra_days_off=[D("2025-03-21")])
        assert compute_due(opened_local("2025-03-06"), calendar=off) == Z("2025-03-24T18:59:59.999999Z")
        assert compute_due(opened_local("2025-03-06"), calendar=holidays.KZ()) == Z("2025-03-26T18:59:59.999999Z")

    def test_other_term_lengths(self):
        assert compute_due(opened_local("2025-04-01"), days=10, extended_days=20) == Z("2025-04-11T18:59:59.999999Z")
        assert compute_due(opened_local("2025-04-01"), days=1) == Z("2025-04-02T18:59:59.999999Z")


class TestZoneChange:
    """Periods spanning 1 March 2024, when Almaty moved from UTC+6 to UTC+5."""

    def test_due_after_the_change_uses_utc_plus_5(self):
        opened = Z("2024-02-20T04:00:00Z")  # 10:00 +06
        assert compute_due(opened) == Z("2024-03-06T18:59:59.999999Z")

    def test_due_before_the_change_uses_utc_plus_6(self):
        assert compute_due(Z("2024-02-13T04:00:00Z")) == Z("2024-02-28T17:59:59.999999Z")

    def test_due_on_the_25_hour_day(self):
        assert compute_due(Z("2024-02-14T04:00:00Z")) == Z("2024-02-29T18:59:59.999999Z")

    @pytest.mark.parametrize(
        ("opened", "expected"),
        [
            ("2024-02-29T17:30:00Z", "2024-03-15T18:59:59.999999Z"),  # 23:30 +06 on 29 Feb
            ("2024-02-29T18:30:00Z", "2024-03-15T18:59:59.999999Z"),  # 23:30 +05, the repeated hour
            ("2024-02-29T18:59:59.999999Z", "2024-03-15T18:59:59.999999Z"),
            ("2024-02-29T19:00:00Z", "2024-03-18T18:59:59.999999Z"),  # 1 March -> Sat 16 -> Mon 18
        ],
    )
    def test_opened_during_the_repeated_hour(self, opened, expected):
        assert compute_due(Z(opened)) == Z(expected)

    def test_opened_on_1_march_without_roll(self):
        assert compute_due(Z("2024-02-29T19:00:00Z"), roll_to_working_day=False) == Z("2024-03-16T18:59:59.999999Z")

    def test_pause_across_the_change_counts_real_elapsed_time(self):
        # 12:00Z on the 29th to 12:00Z on 1 March is 24 h of real time, although local clocks show 25 h.
        pause = ClockPause(Z("2024-02-29T12:00:00Z"), Z("2024-03-01T12:00:00Z"))
        assert compute_due(Z("2024-02-20T04:00:00Z"), pauses=[pause]) == Z("2024-03-07T18:59:59.999999Z")

    def test_working_rule_across_the_change(self):
        # Working days after Tue 20 Feb 2024: 21-23 Feb (3), 26-29 Feb (7), 1 Mar (8), 4-7 Mar (12),
        # [8 Mar off], 11-13 Mar (15).
        assert compute_due(Z("2024-02-20T04:00:00Z"), rule="working") == Z("2024-03-13T18:59:59.999999Z")


# --------------------------------------------------------------------------- working-day rule


class TestWorkingRule:
    def test_fifteen_working_days(self):
        # After Tue 1 Apr 2025: 2-4 (3), 7-11 (8), 14-18 (13), 21, 22 (15).
        assert compute_due(opened_local("2025-04-01"), rule=DayRule.WORKING) == Z("2025-04-22T18:59:59.999999Z")

    def test_over_nauryz(self):
        assert compute_due(opened_local("2025-03-14"), rule="working") == Z("2025-04-09T18:59:59.999999Z")

    def test_opened_on_a_weekend(self):
        # Sat 5 Apr 2025: 7-11 (5), 14-18 (10), 21-25 (15).
        assert compute_due(opened_local("2025-04-05"), rule="working") == Z("2025-04-25T18:59:59.999999Z")

    def test_counts_the_working_sunday(self):
        # After Tue 31 Dec 2024: [1-4 Jan off], Sun 5 Jan (1), 6 (2), [7 Jan Christmas], 8-10 (5), 13 (6).
        assert compute_due(opened_local("2024-12-31"), rule="working", days=6, extended_days=7) == Z(
            "2025-01-13T18:59:59.999999Z"
        )
        assert compute_due(opened_local("2024-12-31"), rule="working", days=1, extended_days=7) == Z(
            "2025-01-05T18:59:59.999999Z"
        )

    def test_roll_option_is_a_no_op(self):
        opened = opened_local("2025-03-14")
        assert compute_due(opened, rule="working", roll_to_working_day=False) == compute_due(opened, rule="working")

    def test_pause_over_a_weekend_only(self):
        pause = ClockPause(opened_local("2025-04-05", 10), opened_local("2025-04-06", 17))
        assert compute_due(opened_local("2025-04-01"), rule="working", pauses=[pause]) == Z(
            "2025-04-22T18:59:59.999999Z"
        )

    def test_pause_counts_only_its_working_hours(self):
        # Fri 4 Apr 17:00 -> Mon 7 Apr 09:00 local: 7 h on Friday + 9 h on Monday = 16 working hours,
        # so the clock runs out at 16:00 on Wed 23 April.
        pause = ClockPause(opened_local("2025-04-04", 17), opened_local("2025-04-07", 9))
        assert compute_due(opened_local("2025-04-01"), rule="working", pauses=[pause]) == Z(
            "2025-04-23T18:59:59.999999Z"
        )
        # The same pause under the calendar rule is 64 h: 16 Apr 24:00 + 64 h = Sat 19 Apr 16:00 -> Mon 21.
        assert compute_due(opened_local("2025-04-01"), pauses=[pause]) == Z("2025-04-21T18:59:59.999999Z")


# --------------------------------------------------------------------------- clock stops


OPENED = Z("2025-04-01T05:00:00Z")  # Tue 1 April 2025, 10:00 in Almaty; plain due: Wed 16 April
PLAIN_DUE = Z("2025-04-16T18:59:59.999999Z")


def pause(start: str, end: str | None) -> ClockPause:
    return ClockPause(Z(start), None if end is None else Z(end))


class TestClockStops:
    def test_single_pause_of_two_days(self):
        due = compute_due(OPENED, pauses=[pause("2025-04-03T05:00:00Z", "2025-04-05T05:00:00Z")])
        assert due == Z("2025-04-18T18:59:59.999999Z")

    def test_any_stop_moves_the_deadline_by_at_least_a_day(self):
        due = compute_due(OPENED, pauses=[pause("2025-04-03T05:00:00Z", "2025-04-03T06:00:00Z")])
        assert due == Z("2025-04-17T18:59:59.999999Z")

    def test_a_zero_length_stop_changes_nothing(self):
        assert compute_due(OPENED, pauses=[pause("2025-04-03T05:00:00Z", "2025-04-03T05:00:00Z")]) == PLAIN_DUE

    def test_short_stops_add_up_instead_of_compounding(self):
        two_halves = [
            pause("2025-04-03T05:00:00Z", "2025-04-03T05:30:00Z"),
            pause("2025-04-08T05:00:00Z", "2025-04-08T05:30:00Z"),
        ]
        assert compute_due(OPENED, pauses=two_halves) == Z("2025-04-17T18:59:59.999999Z")

    def test_exactly_24_hours_moves_exactly_one_day(self):
        pauses = [
            pause("2025-04-03T05:00:00Z", "2025-04-03T06:00:00Z"),
            pause("2025-04-09T00:00:00Z", "2025-04-09T23:00:00Z"),
        ]
        assert compute_due(OPENED, pauses=pauses) == Z("2025-04-17T18:59:59.999999Z")
        one_tick_more = [pause("2025-04-03T05:00:00Z", "2025-04-04T05:00:00.000001Z")]
        assert compute_due(OPENED, pauses=one_tick_more) == Z("2025-04-18T18:59:59.999999Z")

    def test_multiple_pauses_then_roll(self):
        pauses = [
            pause("2025-04-02T05:00:00Z", "2025-04-03T05:00:00Z"),
            pause("2025-04-10T05:00:00Z", "2025-04-12T05:00:00Z"),
        ]
        # 72 h: the clock runs out at the end of Sat 19 April -> Mon 21 April.
        assert compute_due(OPENED, pauses=pauses, roll_to_working_day=False) == Z("2025-04-19T18:59:59.999999Z")
        assert compute_due(OPENED, pauses=pauses) == Z("2025-04-21T18:59:59.999999Z")

    def test_order_of_pauses_does_not_matter(self):
        pauses = [
            pause("2025-04-10T05:00:00Z", "2025-04-12T05:00:00Z"),
            pause("2025-04-02T05:00:00Z", "2025-04-03T05:00:00Z"),
        ]
        assert compute_due(OPENED, pauses=pauses) == Z("2025-04-21T18:59:59.999999Z")

    def test_overlapping_pauses_are_merged(self):
        overlapping = [
            pause("2025-04-02T05:00:00Z", "2025-04-04T05:00:00Z"),
            pause("2025-04-03T05:00:00Z", "2025-04-05T05:00:00Z"),
        ]
        union = [pause("2025-04-02T05:00:00Z", "2025-04-05T05:00:00Z")]
        assert merge_pauses(overlapping) == tuple(union)
        expected = Z("2025-04-19T18:59:59.999999Z")  # 72 h, not 96 h
        assert compute_due(OPENED, pauses=overlapping, roll_to_working_day=False) == expected
        assert compute_due(OPENED, pauses=union, roll_to_working_day=False) == expected

    def test_nested_and_touching_pauses_are_merged(self):
        pauses = [
            pause("2025-04-02T05:00:00Z", "2025-04-03T05:00:00Z"),
            pause("2025-04-03T05:00:00Z", "2025-04-04T05:00:00Z"),  # touches the first
            pause("2025-04-02T10:00:00Z", "2025-04-02T11:00:00Z"),  # inside the first
        ]
        assert merge_pauses(pauses) == (pause("2025-04-02T05:00:00Z", "2025-04-04T05:00:00Z"),)
        assert compute_due(OPENED, pauses=pauses) == Z("2025-04-18T18:59:59.999999Z")

    def test_merge_with_an_open_pause(self):
        pauses = [pause("2025-04-05T00:00:00Z", None), pause("2025-04-02T00:00:00Z", "2025-04-06T00:00:00Z")]
        assert merge_pauses(pauses) == (pause("2025-04-02T00:00:00Z", None),)

    def test_pause_before_the_opening_is_ignored(self):
        assert compute_due(OPENED, pauses=[pause("2025-03-25T05:00:00Z", "2025-03-28T05:00:00Z")]) == PLAIN_DUE

    def test_pause_straddling_the_opening_counts_from_the_opening(self):
        due = compute_due(OPENED, pauses=[pause("2025-03-31T05:00:00Z", "2025-04-02T05:00:00Z")])
        assert due == Z("2025-04-17T18:59:59.999999Z")  # 24 h counted, not 48 h

    def test_pause_after_the_clock_ran_out_is_ignored(self):
        assert compute_due(OPENED, pauses=[pause("2025-04-17T05:00:00Z", "2025-04-20T05:00:00Z")]) == PLAIN_DUE
        assert compute_due(OPENED, pauses=[pause("2025-04-16T19:00:00Z", "2025-04-20T05:00:00Z")]) == PLAIN_DUE
        # One microsecond earlier the clock had not run out yet: the whole stop counts.
        late = pause("2025-04-16T18:59:59.999999Z", "2025-04-16T19:59:59.999999Z")
        assert compute_due(OPENED, pauses=[late]) == Z("2025-04-17T18:59:59.999999Z")

    def test_stop_after_the_clock_ran_out_but_before_the_deadline(self):
        # A 1-hour stop makes the clock run out at 01:00 on Thu 17 April; the deadline is the end of
        # that day. A stop from 09:00 on the 17th still counts; the clock had no time left, so when
        # the client answers the deadline is the end of that day.
        first = pause("2025-04-03T05:00:00Z", "2025-04-03T06:00:00Z")
        assert compute_due(OPENED, pauses=[first]) == Z("2025-04-17T18:59:59.999999Z")
        for answered in ("2025-04-18T04:00:00Z", "2025-04-18T18:00:00Z", "2025-04-17T19:00:00Z"):
            second = pause("2025-04-17T04:00:00Z", answered)
            assert compute_due(OPENED, pauses=[first, second]) == Z("2025-04-18T18:59:59.999999Z")
        assert compute_due(OPENED, pauses=[first, pause("2025-04-17T04:00:00Z", None)]) is None
        # Answered on a Saturday: the deadline rolls to Monday.
        saturday = pause("2025-04-17T04:00:00Z", "2025-04-19T04:00:00Z")
        assert compute_due(OPENED, pauses=[first, saturday]) == Z("2025-04-21T18:59:59.999999Z")

    def test_stop_during_the_roll_over_a_weekend(self):
        opened = opened_local("2025-04-04")  # Fri; +15 = Sat 19 April -> Mon 21 April
        assert compute_due(opened) == Z("2025-04-21T18:59:59.999999Z")
        # Stopped on Sun 20 April 10:00 (the clock ran out at the end of Saturday, the deadline is
        # Monday's end); the client answers Wed 23 April 10:00 -> due at the end of Wednesday.
        sunday = pause("2025-04-20T05:00:00Z", "2025-04-23T05:00:00Z")
        assert compute_due(opened, pauses=[sunday]) == Z("2025-04-23T18:59:59.999999Z")
        assert compute_due(opened, pauses=[pause("2025-04-20T05:00:00Z", None)]) is None
        # Without the roll the deadline was Saturday's end, so the Sunday stop comes too late.
        assert compute_due(opened, pauses=[sunday], roll_to_working_day=False) == Z("2025-04-19T18:59:59.999999Z")
        # Stopped on Sat 19 April 10:00, 14 h before the clock ran out: 14 h after Wed 10:00 is
        # 24:00 on Wednesday.
        saturday = pause("2025-04-19T05:00:00Z", "2025-04-23T05:00:00Z")
        assert compute_due(opened, pauses=[saturday]) == Z("2025-04-23T18:59:59.999999Z")
        saturday_later = pause("2025-04-19T05:00:00Z", "2025-04-23T05:00:00.000001Z")
        assert compute_due(opened, pauses=[saturday_later]) == Z("2025-04-24T18:59:59.999999Z")
        # A stop after Monday's deadline is ignored.
        assert compute_due(opened, pauses=[pause("2025-04-21T19:00:00Z", None)]) == Z("2025-04-21T18:59:59.999999Z")

    def test_an_earlier_stop_lets_a_later_one_count(self):
        # The first stop (5 days) moves the clock past 16 April, so the stop on 18 April still counts.
        pauses = [
            pause("2025-04-02T05:00:00Z", "2025-04-07T05:00:00Z"),
            pause("2025-04-18T05:00:00Z", "2025-04-19T05:00:00Z"),
        ]
        assert compute_due(OPENED, pauses=pauses) == Z("2025-04-22T18:59:59.999999Z")
        assert compute_due(OPENED, pauses=pauses[:1]) == Z("2025-04-21T18:59:59.999999Z")

    def test_open_pause_means_paused(self):
        assert compute_due(OPENED, pauses=[pause("2025-04-03T05:00:00Z", None)]) is None
        closed_then_open = [pause("2025-04-02T05:00:00Z", "2025-04-03T05:00:00Z"), pause("2025-04-10T05:00:00Z", None)]
        assert compute_due(OPENED, pauses=closed_then_open) is None

    def test_open_pause_after_the_deadline_keeps_the_deadline(self):
        assert compute_due(OPENED, pauses=[pause("2025-04-20T05:00:00Z", None)]) == PLAIN_DUE

    def test_open_pause_with_an_assumed_resumption(self):
        open_pause = [pause("2025-04-03T05:00:00Z", None)]
        assert compute_due(OPENED, pauses=open_pause, resume_at_utc=Z("2025-04-05T05:00:00Z")) == Z(
            "2025-04-18T18:59:59.999999Z"
        )
        with pytest.raises(SlaError) as err:
            compute_due(OPENED, pauses=open_pause, resume_at_utc=Z("2025-04-02T05:00:00Z"))
        assert err.value.code == "invalid_pause"
        with pytest.raises(SlaError) as err:
            compute_due(OPENED, resume_at_utc=datetime(2025, 4, 5))
        assert err.value.code == "naive_datetime"
        # Without an open pause the assumed resumption changes nothing.
        assert compute_due(OPENED, resume_at_utc=Z("2025-04-05T05:00:00Z")) == PLAIN_DUE

    def test_pause_validation(self):
        with pytest.raises(SlaError) as err:
            ClockPause(Z("2025-04-03T05:00:00Z"), Z("2025-04-02T05:00:00Z"))
        assert err.value.code == "invalid_pause"
        with pytest.raises(SlaError) as err:
            ClockPause(datetime(2025, 4, 3, 5))
        assert err.value.code == "naive_datetime"
        with pytest.raises(SlaError):
            ClockPause(Z("2025-04-03T05:00:00Z"), datetime(2025, 4, 4))
        with pytest.raises(SlaError):
            compute_due(OPENED, pauses=[(Z("2025-04-03T05:00:00Z"), None)])

    def test_pause_is_normalised_to_utc(self):
        local = ClockPause(datetime(2025, 4, 3, 10, tzinfo=ALMATY), datetime(2025, 4, 3, 11, tzinfo=ALMATY))
        assert local.start_utc == Z("2025-04-03T05:00:00Z")
        assert local.start_utc.tzinfo is UTC
        assert local.end_utc == Z("2025-04-03T06:00:00Z")
        assert not local.is_open
        assert ClockPause(Z("2025-04-03T05:00:00Z")).is_open


# --------------------------------------------------------------------------- extensions


class TestExtension:
    def test_extended_term_is_30_days_from_the_opening(self):
        # 1 April + 30 = Thu 1 May 2025 (a holiday) -> Fri 2 May.
        assert compute_due(OPENED, extended=True) == Z("2025-05-02T18:59:59.999999Z")
        assert compute_due(OPENED, extended=True, roll_to_working_day=False) == Z("2025-05-01T18:59:59.999999Z")

    def test_extended_with_pause(self):
        pauses = [pause("2025-04-02T05:00:00Z", "2025-04-04T05:00:00Z")]
        # 1 May 24:00 + 48 h = end of Sat 3 May -> Mon 5 May.
        assert compute_due(OPENED, extended=True, pauses=pauses) == Z("2025-05-05T18:59:59.999999Z")

    def test_extended_working_rule(self):
        # 30 working days after 1 Apr 2025: 22 Apr is the 15th; 23-25 (18), 28-30 (21), [1 May off], 2 (22),
        # 5, 6 (24), [7 off], 8 (25), [9 off], 12-16 (30).
        assert compute_due(OPENED, extended=True, rule="working") == Z("2025-05-16T18:59:59.999999Z")

    def test_extend_returns_the_record(self):
        ext = extend("site_visit", at_utc=Z("2025-04-10T05:00:00Z"), note="  need to inspect the roof ")
        assert ext == Extension(ExtensionReason.SITE_VISIT, Z("2025-04-10T05:00:00Z"), "need to inspect the roof")
        assert extend(ExtensionReason.COMMISSION, at_utc=Z("2025-04-10T05:00:00Z")).reason is ExtensionReason.COMMISSION
        assert extend(" analysis ", at_utc=Z("2025-04-10T05:00:00Z")).reason is ExtensionReason.ANALYSIS

    def test_reasons_are_a_fixed_set(self):
        assert [r.value for r in ExtensionReason] == ["site_visit", "analysis", "commission"]

    def test_second_extension_is_refused(self):
        with pytest.raises(SlaError) as err:
            extend("analysis", at_utc=Z("2025-04-10T05:00:00Z"), already_extended=True)
        assert err.value.code == "already_extended"
        assert isinstance(err.value, ValueError)

    @pytest.mark.parametrize("reason", [None, "", "   "])
    def test_missing_reason_is_refused(self, reason):
        with pytest.raises(SlaError) as err:
            extend(reason, at_utc=Z("2025-04-10T05:00:00Z"))
        assert err.value.code == "reason_required"

    @pytest.mark.parametrize("reason", ["holiday", "Site_Visit", "site visit", 3])
    def test_unknown_reason_is_refused(self, reason):
        with pytest.raises(SlaError) as err:
            extend(reason, at_utc=Z("2025-04-10T05:00:00Z"))
        assert err.value.code == "unknown_reason"

    def test_extension_after_the_deadline_is_refused(self):
        with pytest.raises(SlaError) as err:
            extend("analysis", at_utc=PLAIN_DUE + timedelta(microseconds=1), due_utc=PLAIN_DUE)
        assert err.value.code == "extension_after_due"
        assert extend("analysis", at_utc=PLAIN_DUE, due_utc=PLAIN_DUE).reason is ExtensionReason.ANALYSIS
        assert extend("analysis", at_utc=PLAIN_DUE + timedelta(days=9), due_utc=None).at_utc == Z(
            "2025-04-25T18:59:59.999999Z"
        )

    def test_naive_extension_time_is_refused(self):
        with pytest.raises(SlaError) as err:
            extend("analysis", at_utc=datetime(2025, 4, 10))
        assert err.value.code == "naive_datetime"


# --------------------------------------------------------------------------- status, overdue, remaining


class TestStatus:
    def test_status_boundaries(self):
        assert status_at(PLAIN_DUE - timedelta(days=3, microseconds=1), PLAIN_DUE) is SlaStatus.ON_TIME
        assert status_at(PLAIN_DUE - timedelta(days=3), PLAIN_DUE) is SlaStatus.DUE_SOON
        assert status_at(PLAIN_DUE, PLAIN_DUE) is SlaStatus.DUE_SOON
        assert status_at(PLAIN_DUE + timedelta(microseconds=1), PLAIN_DUE) is SlaStatus.OVERDUE
        assert status_at(OPENED, None) is SlaStatus.PAUSED
        assert status_at(OPENED, PLAIN_DUE) == "on_time"

    def test_custom_window(self):
        now = PLAIN_DUE - timedelta(days=5)
        assert status_at(now, PLAIN_DUE, due_soon_window=timedelta(days=7)) is SlaStatus.DUE_SOON
        assert status_at(now, PLAIN_DUE, due_soon_window=timedelta(0)) is SlaStatus.ON_TIME
        with pytest.raises(SlaError):
            status_at(now, PLAIN_DUE, due_soon_window=timedelta(days=-1))

    def test_days_overdue(self):
        assert days_overdue(PLAIN_DUE - timedelta(hours=1), PLAIN_DUE) == 0
        assert days_overdue(PLAIN_DUE, PLAIN_DUE) == 0
        assert days_overdue(Z("2025-04-16T19:00:00Z"), PLAIN_DUE) == 1  # 00:00 on the 17th
        assert days_overdue(Z("2025-04-18T18:59:00Z"), PLAIN_DUE) == 2  # 23:59 on the 18th
        assert days_overdue(Z("2025-04-18T19:00:00Z"), PLAIN_DUE) == 3
        assert days_overdue(Z("2025-05-16T12:00:00Z"), PLAIN_DUE) == 30
        assert days_overdue(OPENED, None) == 0

    def test_days_overdue_across_the_zone_change(self):
        due = Z("2024-02-28T17:59:59.999999Z")  # end of 28 Feb at +06
        assert days_overdue(Z("2024-02-28T18:00:00Z"), due) == 1  # 00:00 on 29 Feb
        assert days_overdue(Z("2024-02-29T18:30:00Z"), due) == 1  # 23:30 (+05) on 29 Feb
        assert days_overdue(Z("2024-02-29T19:00:00Z"), due) == 2  # 00:00 on 1 March
        assert days_overdue(Z("2024-03-01T19:00:00Z"), due) == 3

    def test_remaining(self):
        assert remaining(OPENED, PLAIN_DUE) == timedelta(days=15, hours=13, minutes=59, seconds=59, microseconds=999999)
        assert remaining(PLAIN_DUE + timedelta(hours=2), PLAIN_DUE) == -timedelta(hours=2)
        assert remaining(OPENED, None) is None

    def test_naive_inputs_are_refused(self):
        for call in (
            lambda: compute_due(datetime(2025, 4, 1, 10)),
            lambda: status_at(datetime(2025, 4, 1), PLAIN_DUE),
            lambda: status_at(OPENED, datetime(2025, 4, 16)),
            lambda: days_overdue(OPENED, datetime(2025, 4, 16)),
            lambda: remaining(datetime(2025, 4, 1), PLAIN_DUE),
            lambda: local_date(datetime(2025, 4, 1)),
        ):
            with pytest.raises(SlaError) as err:
                call()
            assert err.value.code == "naive_datetime"

    def test_other_bad_inputs(self):
        with pytest.raises(SlaError) as err:
            compute_due("2025-04-01T05:00:00Z")
        assert err.value.code == "not_datetime"
        for kwargs in ({"days": 0}, {"days": -3}, {"days": True}, {"days": 30}, {"extended_days": 15}):
            with pytest.raises(SlaError) as err:
                compute_due(OPENED, **kwargs)
            assert err.value.code == "invalid_days"
        with pytest.raises(SlaError) as err:
            compute_due(OPENED, rule="business")
        assert err.value.code == "invalid_rule"


# --------------------------------------------------------------------------- properties


instants = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 6, 30), timezones=st.just(UTC))
offsets = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=40))
lengths = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=10))


def _is_end_of_local_day(instant: datetime) -> bool:
    return local_date(instant + timedelta(microseconds=1)) == local_date(instant) + timedelta(days=1)


class TestProperties:
    @FAST
    @given(opened=instants, days=st.integers(min_value=1, max_value=40))
    def test_calendar_due_is_at_least_opened_plus_days(self, opened, days):
        raw = compute_due(opened, days=days, extended_days=days + 1, roll_to_working_day=False)
        rolled = compute_due(opened, days=days, extended_days=days + 1)
        assert raw >= opened + timedelta(days=days)
        assert local_date(raw) == local_date(opened) + timedelta(days=days)
        assert _is_end_of_local_day(raw)
        assert _is_end_of_local_day(rolled)
        assert rolled >= raw
        assert is_working_day(local_date(rolled))
        # Rolling stops at the first working day.
        day = local_date(raw)
        while day < local_date(rolled):
            assert not is_working_day(day)
            day += timedelta(days=1)

    @FAST
    @given(opened=instants, start=offsets, short=lengths, extra=lengths, rule=st.sampled_from(["calendar", "working"]))
    def test_due_is_monotone_in_pause_length(self, opened, start, short, extra, rule):
        begin = opened + start
        due_none = compute_due(opened, rule=rule)
        due_short = compute_due(opened, rule=rule, pauses=[ClockPause(begin, begin + short)])
        due_long = compute_due(opened, rule=rule, pauses=[ClockPause(begin, begin + short + extra)])
        assert due_none <= due_short <= due_long
        assert _is_end_of_local_day(due_long)

    @FAST
    @given(
        opened=instants,
        spans=st.lists(st.tuples(offsets, lengths), min_size=1, max_size=4),
        which=st.integers(min_value=0, max_value=3),
        extra=lengths,
        rule=st.sampled_from(["calendar", "working"]),
        roll=st.booleans(),
    )
    def test_due_is_monotone_with_several_pauses(self, opened, spans, which, extra, rule, roll):
        which %= len(spans)
        pauses = [ClockPause(opened + start, opened + start + length) for start, length in spans]
        longer = list(pauses)
        longer[which] = ClockPause(pauses[which].start_utc, pauses[which].end_utc + extra)
        kwargs = {"rule": rule, "roll_to_working_day": roll}
        base = compute_due(opened, **kwargs)
        due = compute_due(opened, pauses=pauses, **kwargs)
        due_longer = compute_due(opened, pauses=longer, **kwargs)
        assert base <= due <= due_longer
        assert _is_end_of_local_day(due_longer)
        if roll or rule == "working":
            assert is_working_day(local_date(due_longer))

    @FAST
    @given(opened=instants, start=offsets, rule=st.sampled_from(["calendar", "working"]), days=st.integers(1, 30))
    def test_zero_length_pause_equals_no_pause(self, opened, start, rule, days):
        # A zero-length stop takes the running-clock path; no stop takes the direct path.
        begin = opened + start
        kwargs = {"rule": rule, "days": days, "extended_days": days + 1}
        assert compute_due(opened, pauses=[ClockPause(begin, begin)], **kwargs) == compute_due(opened, **kwargs)

    @FAST
    @given(opened=instants, start=offsets, length=lengths, cut=st.floats(min_value=0, max_value=1))
    def test_splitting_or_reordering_pauses_changes_nothing(self, opened, start, length, cut):
        begin = opened + start
        middle = begin + length * cut
        whole = compute_due(opened, pauses=[ClockPause(begin, begin + length)])
        split = compute_due(opened, pauses=[ClockPause(middle, begin + length), ClockPause(begin, middle)])
        assert whole == split

    @FAST
    @given(
        opened=instants,
        after=st.timedeltas(min_value=timedelta(microseconds=1), max_value=timedelta(days=30)),
        length=lengths,
    )
    def test_pause_after_the_deadline_changes_nothing(self, opened, after, length):
        due = compute_due(opened)
        late = ClockPause(due + after, due + after + length)
        assert compute_due(opened, pauses=[late]) == due
        assert compute_due(opened, pauses=[ClockPause(due + after)]) == due

    @FAST
    @given(opened=instants, start=offsets, length=lengths)
    def test_open_pause_before_the_deadline_pauses(self, opened, start, length):
        begin = opened + start
        closed = compute_due(opened, pauses=[ClockPause(begin, begin + length)])
        if begin <= compute_due(opened):
            assert compute_due(opened, pauses=[ClockPause(begin)]) is None
            assert compute_due(opened, pauses=[ClockPause(begin)], resume_at_utc=begin + length) == closed

    @FAST
    @given(opened=instants, days=st.integers(min_value=1, max_value=30))
    def test_working_rule(self, opened, days):
        working = compute_due(opened, rule="working", days=days, extended_days=days + 1)
        calendar = compute_due(opened, days=days, extended_days=days + 1)
        assert _is_end_of_local_day(working)
        assert is_working_day(local_date(working))
        assert calendar <= working
        assert local_date(working) == add_working_days(local_date(opened), days)

    @FAST
    @given(opened=instants, rule=st.sampled_from(["calendar", "working"]))
    def test_extension_never_shortens(self, opened, rule):
        assert compute_due(opened, rule=rule) < compute_due(opened, rule=rule, extended=True)

    @FAST
    @given(now=instants, opened=instants)
    def test_status_agrees_with_remaining(self, now, opened):
        due = compute_due(opened)
        left = remaining(now, due)
        status = status_at(now, due)
        assert (status is SlaStatus.OVERDUE) == (left < timedelta(0)) == (days_overdue(now, due) > 0)
        assert (status is SlaStatus.ON_TIME) == (left > deadlines.DUE_SOON_WINDOW)


def test_default_calendar_object():
    assert KZ_CALENDAR.is_working_day(D("2025-01-05"))
    assert not KZ_CALENDAR.is_working_day(D("2025-01-03"))
