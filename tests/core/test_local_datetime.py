"""Wall-clock dates and times typed in forms mean Almaty time: 18:00 is stored as 13:00 UTC and shown back as 18:00."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import pytz
from werkzeug.datastructures import MultiDict

from civic.core.forms import BaseForm, LocalDateTimeField, to_local, to_utc


class _Form(BaseForm):
    when = LocalDateTimeField("When")


def test_to_utc_uses_the_zone_of_today_not_the_local_mean_time(app):
    with app.app_context():
        assert to_utc(datetime(2027, 3, 1, 18, 0)) == datetime(2027, 3, 1, 13, 0, tzinfo=UTC)
        assert to_local(datetime(2027, 3, 1, 13, 0, tzinfo=UTC)) == datetime(2027, 3, 1, 18, 0)
        # the bug this replaces: pytz's zone attached with replace() is Almaty's 1900 mean time, +5:08
        wrong = datetime(2027, 3, 1, 18, 0).replace(tzinfo=pytz.timezone("Asia/Almaty")).astimezone(UTC)
        assert wrong.strftime("%H:%M") == "12:52"


def test_to_utc_before_2024_uses_the_offset_of_that_day(app):
    """Kazakhstan moved Almaty from UTC+6 to UTC+5 on 1 March 2024: a date before then keeps its own offset."""
    with app.app_context():
        assert to_utc(datetime(2023, 6, 1, 18, 0)) == datetime(2023, 6, 1, 12, 0, tzinfo=UTC)
        assert to_utc(datetime(2027, 6, 1, 18, 0), "Asia/Tokyo") == datetime(2027, 6, 1, 9, 0, tzinfo=UTC)


def test_to_local_refuses_a_naive_instant(app):
    with app.app_context(), pytest.raises(ValueError, match="aware"):
        to_local(datetime(2027, 3, 1, 13, 0))


def test_the_field_reads_almaty_time_and_shows_utc_back_as_almaty_time(app):
    with app.test_request_context(method="POST"):
        form = _Form(formdata=MultiDict({"when": "2027-03-01T18:00"}), meta={"csrf": False})
        assert form.validate()
        assert form.when.data == datetime(2027, 3, 1, 13, 0, tzinfo=UTC)
        shown = _Form(formdata=None, when=datetime(2027, 3, 1, 13, 0, tzinfo=UTC), meta={"csrf": False})
        assert 'value="2027-03-01T18:00"' in str(shown.when())
        refused = _Form(formdata=MultiDict({"when": "tomorrow at six"}), meta={"csrf": False})
        assert not refused.validate()
        assert refused.when.data is None
