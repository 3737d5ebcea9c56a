"""The whole journey in a real browser, in Kazakh: a resident opens a case, a consultant triages and refers it,
the official extends the deadline with a reason and answers, the inspector finds the answer evasive, the body
answers again, and the resident sees the whole timeline.

Selectors use ids, names and form actions, not visible text, so the test holds in every interface language."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from civic import db
from civic.bureau.models import Case, CaseEvent, Referral
from tests.factories import DEFAULT_PASSWORD

DESCRIPTION = "Жұмыс беруші үш айдан бері жалақы төлемей жүр. Еңбек шартым бар, бірақ басшы жауап бермейді."
APPEAL = "Азамат кеңес бюросы арқылы өтініш: жұмыс беруші үш ай бойы жалақы төлемеген, шара қолдануды сұраймыз."
FIRST_ANSWER = "Өтінішіңіз қабылданды, заңнамаға сәйкес қаралады."
SECOND_ANSWER = (
    "Еңбек инспекциясы тексеру жүргізді: жұмыс берушіге жалақыны 10 күн ішінде төлеу туралы нұсқама берілді."
)


def _login(page, user):
    page.context.clear_cookies()
    page.goto("/login")
    page.fill("#email", user.email)
    page.fill("#password", DEFAULT_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)  # each lands on their work (civic.identity.landing)


def _submit(page, action_suffix: str):
    page.click(f"form[action$='{action_suffix}'] button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.browser
def test_case_journey_in_the_browser(page, app, cast, directory):
    # The resident opens a case in Kazakh, with the three consents.
    _login(page, cast.client)
    page.goto("/bureau/cases/new")
    assert page.locator("html").get_attribute("lang") == "kk"
    page.select_option("#category", str(directory.categories["employment"]))
    page.select_option("#territory", str(directory.territories["KZ-ALA-AUE"]))
    page.fill("#description", DESCRIPTION)
    page.select_option("#preferred_language", "kk")
    for consent in ("#consent_data", "#consent_referral", "#consent_follow_up"):
        page.check(consent)
    page.click("form.case-form button[type=submit]")
    page.wait_for_url(re.compile(r"/bureau/cases/\d+$"))
    case_url = page.url
    assert "CAB-000001" in page.inner_text("main")

    # The consultant triages it, takes it, starts and refers it to the suggested body.
    _login(page, cast.consultant)
    page.goto("/bureau/queue?view=intake")
    page.click("a[href$='/bureau/cases/1']")
    page.check("#urgent")
    _submit(page, "/triage")
    page.select_option("#consultant", str(cast.consultant.id))
    _submit(page, "/assign")
    _submit(page, "/start")
    page.click("details:has(form[action$='/refer']) summary")
    assert page.input_value("#body") == str(directory.bodies["KZ-ALA.EMPLOYMENT"])  # the routing suggestion
    page.select_option("#body", str(directory.bodies["KZ-ALA.AKIMAT"]))  # the consultant may choose another body
    page.fill("#summary", APPEAL)
    _submit(page, "/refer")
    assert page.url == case_url

    # The official extends the term once, for a site visit, and answers.
    _login(page, cast.official)
    page.goto("/bureau/referrals")
    page.click("table a")
    referral_url = page.url
    assert DESCRIPTION not in page.content()  # officials see only the referred text
    page.click("details:has(form[action$='/extend']) summary")
    page.select_option("#reason", "site_visit")
    page.fill("#extension_note", "Жұмыс орнына барып тексеру қажет.")
    _submit(page, "/extend")
    assert page.locator("form[action$='/extend']").count() == 0  # no second extension offered
    page.fill("#text", FIRST_ANSWER)
    _submit(page, "/answer")

    # The inspector finds the answer evasive: it goes back to the body.
    _login(page, cast.inspector)
    page.goto("/bureau/inspection")
    page.click("table a")
    page.check("input[name=verdict][value=evasive]")
    page.fill("#verdict_reason", "Жауапта қандай шара қабылданатыны көрсетілмеген.")
    _submit(page, "/review")

    # The body answers again.
    _login(page, cast.official)
    page.goto(referral_url)
    page.fill("#text", SECOND_ANSWER)
    _submit(page, "/answer")

    # The resident sees the whole timeline.
    _login(page, cast.client)
    page.goto(case_url)
    timeline = page.inner_text("#timeline")
    for text in (
        APPEAL,
        FIRST_ANSWER,
        SECOND_ANSWER,
        "Жұмыс орнына барып тексеру қажет.",
        "Жауапта қандай шара қабылданатыны көрсетілмеген.",
    ):
        assert text in timeline
    kinds = [el.get_attribute("class") for el in page.locator("#timeline li.event").all()]
    for kind in (
        "event-created",
        "event-acknowledged",
        "event-assigned",
        "event-referred",
        "event-extended",
        "event-answered",
        "event-answer_evasive",
    ):
        assert any(kind in k for k in kinds), kind
    assert not any("visibility-internal" in k for k in kinds)
    with app.app_context():
        referral = db.session.scalar(select(Referral))
        assert referral.extended
        assert referral.extension_reason == "site_visit"
        assert referral.evasive_count == 1
        assert referral.state == "answered"
        assert db.session.get(Case, 1).state == "referred"
        assert db.session.scalar(select(CaseEvent.id).where(CaseEvent.kind == "answer_evasive")) is not None
