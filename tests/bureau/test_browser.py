"""The advice journey in a real browser, in Kazakh and in English: a resident files an advice request with consent, a
consultant lands on the intake, and refers the new case in one form to the body the routing rules suggest (the
reason shown), the body's official answers, the inspector accepts the answer, and the resident sees their own
description, the answer and a plain status. Then the inspector's clock: an overdue referral by body, escalated to
the body's head in one click.

Selectors use ids, names and form actions, not visible text, so the test holds in every interface language.
Screenshots of each step go to ``$BUREAU_SHOTS`` when it is set (a folder), for a human look."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from civic import db
from civic.bureau.models import Case, CaseEvent, Referral
from civic.identity.models import AuditEvent, Notification
from tests.factories import browser_login

DESCRIPTION = "Жұмыс беруші үш айдан бері жалақы төлемей жүр. Еңбек шартым бар, бірақ басшы жауап бермейді."
APPEAL = "Азамат кеңес бюросы арқылы өтініш: жұмыс беруші үш ай бойы жалақы төлемеген, шара қолдануды сұраймыз."
ANSWER = "Еңбек инспекциясы тексеру жүргізді: жұмыс берушіге жалақыны 10 күн ішінде төлеу туралы нұсқама берілді."
CONSENT_KK = "Маған кеңес беру мақсатында менің мәліметтерімді тіркеу және пайдалану"
CONSENT_EN = "Record and use my information to advise me"


def _submit(page, action_suffix: str):
    page.click(f"form[action$='{action_suffix}'] button[type=submit]")
    page.wait_for_load_state()


def _shot(page, lang: str, name: str):
    folder = os.environ.get("BUREAU_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{lang}-{name}.png", full_page=True)


@pytest.fixture
def client_language(language):
    """Here the client reads the interface in the test's language too."""
    return language


@pytest.mark.browser
@pytest.mark.parametrize("language", ["kk", "en"])
def test_advice_journey_in_the_browser(page, app, cast, cases, directory, make_user, language):
    employment = make_user(display_name="Official Employment", roles=[("official", None, "KZ-ALA.EMPLOYMENT")])
    overdue_case = cases.make("referred")  # referred long ago (the fixtures' 2025 clock): overdue by now

    # The resident files an advice request with the three consents.
    browser_login(page, cast.client, clear_cookies=True)
    page.goto("/bureau/cases/new")
    assert page.locator("html").get_attribute("lang") == language
    page.select_option("#category", str(directory.categories["employment"]))
    page.select_option("#territory", str(directory.territories["KZ-ALA-AUE"]))
    page.fill("#description", DESCRIPTION)
    for consent in ("#consent_data", "#consent_referral", "#consent_follow_up"):
        page.check(consent)
    _shot(page, language, "1-new-case")
    page.click("form.case-form button[type=submit]")
    page.wait_for_url(re.compile(r"/bureau/cases/\d+$"))
    case_url = page.url
    case_id = int(case_url.rsplit("/", 1)[1])
    assert DESCRIPTION in page.inner_text("#problem")  # the client sees their own description
    timeline = page.inner_text("#timeline")
    assert (CONSENT_KK if language == "kk" else CONSENT_EN) in timeline
    if language == "kk":
        assert CONSENT_EN not in timeline  # consents read in the client's language
    _shot(page, language, "2-client-case-new")

    # The consultant lands on the intake and their cases together, with counts.
    browser_login(page, cast.consultant, clear_cookies=True)
    page.goto("/bureau/queue")
    assert page.locator(f"table.queue a[href$='/bureau/cases/{case_id}']").count() == 1
    assert re.search(r"\(\d+\)", page.inner_text("nav.tabs"))
    _shot(page, language, "3-consultant-queue")
    page.click(f"table.queue a[href$='/bureau/cases/{case_id}']")

    # One form from the new case to the referral: the suggested body preselected, with the reason.
    suggested = str(directory.bodies["KZ-ALA.EMPLOYMENT"])
    assert page.input_value("#body") == suggested
    reason = page.inner_text("#body-suggestion")
    assert ("Әуезов" if language == "kk" else "Auezov") in reason
    assert page.locator("#body optgroup").count() > 2
    page.wait_for_selector("#body-filter", state="visible")  # the search box appears with JavaScript (deferred)
    page.fill("#body-filter", "zzzz-nothing")
    assert page.locator("#body option:not([hidden])").count() == 1  # only the selected body stays
    page.fill("#body-filter", "")
    page.fill("#summary", APPEAL)
    _shot(page, language, "4-consultant-refer")
    _submit(page, "/refer")
    assert page.url.split("#")[0] == case_url
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.state == "referred"
        assert case.consultant_id == cast.consultant.id

    # The body's official answers.
    browser_login(page, employment, clear_cookies=True)
    page.goto("/bureau/referrals")
    page.click(f"table a:text('{case.number}')")
    assert DESCRIPTION not in page.content()  # officials see only the referred text
    page.fill("#text", ANSWER)
    _submit(page, "/answer")

    # The client sees a plain status while the inspector checks the answer.
    browser_login(page, cast.client, clear_cookies=True)
    page.goto(case_url)
    status = page.inner_text("#case-status")
    assert page.locator("#case-status .case-status-next").count() == 1
    assert "Answered, awaiting inspection Answered" not in page.inner_text("main")
    _shot(page, language, "5-client-awaiting-inspection")

    # The inspector accepts the answer.
    browser_login(page, cast.inspector, clear_cookies=True)
    page.goto("/bureau/inspection")
    page.click(f"table a:text('{case.number}')")
    page.check("input[name=verdict][value=accepted]")
    _submit(page, "/review")

    # The client sees their description, the answer and where the case is now.
    browser_login(page, cast.client, clear_cookies=True)
    page.goto(case_url)
    assert DESCRIPTION in page.inner_text("#problem")
    assert ANSWER in page.inner_text("#timeline")
    after = page.inner_text("#case-status")
    assert after != status
    assert "Consultant Almaty" in after
    _shot(page, language, "6-client-answer-accepted")

    # The inspector's clock: the overdue referral by body, escalated to the body's head in one click.
    browser_login(page, cast.inspector, clear_cookies=True)
    page.goto("/bureau/clock")
    with app.app_context():
        overdue = db.session.scalar(select(Referral).where(Referral.case_id == overdue_case))
        body_id = overdue.body_id
    section = page.locator(f"#body-{body_id}")
    assert section.locator(f"a[href$='/bureau/referrals/{overdue.id}']").count() == 1
    assert section.locator(".sla-overdue").count() == 1
    _shot(page, language, "7-inspector-clock")
    _submit(page, f"/referrals/{overdue.id}/escalate")
    assert "/bureau/clock" in page.url
    _shot(page, language, "8-inspector-escalated")
    with app.app_context():
        told = db.session.scalars(select(Notification.user_id).where(Notification.kind == "bureau.escalated")).all()
        assert told == [cast.head.id]
        assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "bureau.escalate")) is not None
        assert db.session.scalar(select(CaseEvent.id).where(CaseEvent.kind == "escalated")) is not None
