"""The annual report: small-cell suppression and the aggregates."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from civic import db
from civic.bureau import report
from civic.bureau.models import Case
from civic.bureau.services import followups, referrals
from tests.bureau.conftest import T0, at, referral_of, user


def test_small_cells_are_suppressed_with_a_second_cell_when_one_alone_would_be_derivable():
    assert report.suppress({"a": 10, "b": 3, "c": 7}) == {"a": 10, "b": None, "c": None}
    assert report.suppress({"a": 10, "b": 3, "c": 2}) == {"a": 10, "b": None, "c": None}
    assert report.suppress({"a": 10, "b": 0, "c": 5}) == {"a": 10, "b": 0, "c": 5}
    assert report.suppress({"a": 4}) == {"a": None}


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=3), st.integers(min_value=0, max_value=40), max_size=8))
def test_no_shown_cell_is_under_five_and_no_single_hidden_cell_can_be_derived(counts):
    shown = report.suppress(counts)
    assert all(v is None or v == 0 or v >= 5 for v in shown.values())
    hidden = [k for k, v in shown.items() if v is None]
    assert len(hidden) != 1 or sum(counts.values()) < 5 or len(counts) == 1


def test_rates_hide_small_numbers():
    assert report.safe_rate(10, 20) == 0.5
    assert report.safe_rate(2, 20) is None
    assert report.safe_rate(18, 20) is None
    assert report.safe_rate(3, 4) is None
    assert report.safe_rate(0, 10) == 0.0


def test_report_counts_cases_by_area_and_month_and_suppresses_small_ones(app, cast, cases):
    for _ in range(5):
        cases.open(category_code="debts")
    cases.open(category_code="housing")
    with app.test_request_context():
        data = report.build(2025)
    sections = {s.key: s for s in data.sections}
    assert data.cases_total == 6
    by_area = [row.value for row in sections["category"].rows]
    assert by_area == [None, None]  # housing (1) hidden, so debts (5) too: the total 6 would reveal it
    april = [row for row in sections["month"].rows if row.key == "4"][0]
    assert april.value == 6
    assert all(row.value in (0, None) for row in sections["month"].rows if row.key != "4")


def test_bodies_compliance_and_evasive_rates(app, cast, cases):
    ids = [cases.make("referred") for _ in range(6)]
    for index, case_id in enumerate(ids):
        with at(app, T0 + timedelta(days=3)):
            referrals.answer(referral_of(case_id), user(cast.official), "An answer to the appeal, first try.")
        with at(app, T0 + timedelta(days=4)):
            referrals.review(
                referral_of(case_id),
                user(cast.inspector),
                "evasive" if index < 5 else "accepted",
                "Does not address the problem.",
            )
    with app.test_request_context():
        data = report.build(2025)
        rows = {b.name: b for b in data.bodies}
    akimat = [b for name, b in rows.items() if "Almaty" in name or "Алматы" in name][0]
    assert akimat.referrals == 6
    assert akimat.reviewed == 6
    assert akimat.evasive == 5
    assert akimat.evasive_rate is None  # 1 non-evasive answer would be derivable
    assert akimat.on_time is None  # 1 accepted answer


def test_report_page_and_csv_are_public_and_anonymous(app, cast, cases, client):
    for _ in range(5):
        case_id = cases.make("resolved")
        with at(app, T0 + timedelta(days=30)):
            followups.answer_follow_up(db.session.get(Case, case_id), user(cast.client), "solved")
    page = client.get("/bureau/report?year=2025")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<svg" in html
    assert "<table" in html
    assert 'style="' not in html
    assert "Айжан" not in html
    assert "Банк" not in html
    csv_text = client.get("/bureau/report.csv?year=2025").get_data(as_text=True)
    assert "follow_up" in csv_text
    assert "Айжан" not in csv_text
    assert client.get("/bureau/report?year=1990").status_code == 404
