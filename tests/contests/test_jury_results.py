"""The jury and the results: invitations, conflicts of interest, scoring rules, the breakdown, publication, the CSV
and the phase job."""

from __future__ import annotations

import csv
import html
import io

import pytest
from sqlalchemy import func, select

from civic import db
from civic.contests import jury, results, services
from civic.contests.models import Contest, Entry, Phase, Score
from civic.contests.scoring import score_contest
from civic.core.errors import DomainError
from civic.db import utc_now
from civic.identity.models import AuditEvent, Notification
from tests.contests.conftest import user


def _judges(app, contest_id):
    with app.app_context():
        return [j.id for j in jury.judges(db.session.get(Contest, contest_id).competition)]


def _score(app, contest_id, entry_id, who, impact, feasibility, jury_open=True):
    from civic.contests.models import Judge

    with app.app_context():
        contest = db.session.get(Contest, contest_id)
        judge = db.session.scalar(
            select(Judge).where(Judge.competition_id == contest.competition_id, Judge.user_id == who.id)
        )
        impact_c, feasibility_c = jury.criteria(contest.competition)
        jury.save_scores(
            judge,
            db.session.get(Entry, entry_id),
            {impact_c.id: impact, feasibility_c.id: feasibility},
            "",
            jury_open=jury_open,
        )
        db.session.commit()


def test_a_judge_accepts_only_with_the_invited_address(app, cast, contests):
    cid = contests.make(Phase.SUBMISSION)
    with app.app_context():
        contest = db.session.get(Contest, cid)
        token = jury.invite_judge(contest.competition, user(cast.organiser), cast.judge.email, contest.title)
        with pytest.raises(DomainError, match="another email address"):
            jury.accept_judge(token, user(cast.voter))
        jury.accept_judge(token, user(cast.judge))
        with pytest.raises(DomainError, match="already used"):
            jury.accept_judge(token, user(cast.judge))
        assert jury.judge_of(contest.competition, user(cast.judge)) is not None


def test_a_recused_judge_cannot_score_the_entry_and_earlier_scores_go(app, cast, contests):
    cid = contests.make(Phase.JURY, entries=2, judges=2)
    e1, _e2 = contests.entries(cid)
    _score(app, cid, e1, cast.judge, 8, 4)
    with app.app_context():
        contest = db.session.get(Contest, cid)
        judge = jury.judge_of(contest.competition, user(cast.judge))
        jury.recuse(judge, db.session.get(Entry, e1), "My brother wrote it.")
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Score).where(Score.judge_id == judge.id)) == 0
    with pytest.raises(jury.Recused) as refused:
        _score(app, cid, e1, cast.judge, 5, 2)
    assert refused.value.status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Score)) == 0


@pytest.mark.parametrize("phase", [Phase.VOTING, Phase.RESULTS])
def test_scoring_outside_the_jury_phase_is_refused(app, client, auth, cast, contests, phase):
    cid = contests.make(Phase.JURY, entries=1, judges=1)
    (e1,) = contests.entries(cid)
    contests.move(cid, phase)
    with app.app_context():
        c1, c2 = (c.id for c in jury.criteria(db.session.get(Contest, cid).competition))
    auth.login(cast.judge)
    response = client.post(f"/contests/{cid}/jury/entries/{e1}", data={f"c{c1}": "5", f"c{c2}": "2"})
    assert response.status_code == 409
    assert "Scoring is open only during the jury phase." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Score)) == 0


def test_a_recused_judge_scoring_over_http_gets_403(app, client, auth, cast, contests):
    cid = contests.make(Phase.JURY, entries=1, judges=1)
    (e1,) = contests.entries(cid)
    with app.app_context():
        c1, c2 = (c.id for c in jury.criteria(db.session.get(Contest, cid).competition))
    auth.login(cast.judge)
    assert client.post(f"/contests/{cid}/jury/entries/{e1}/recuse", data={"reason": "My cousin"}).status_code == 303
    response = client.post(f"/contests/{cid}/jury/entries/{e1}", data={f"c{c1}": "5", f"c{c2}": "2"})
    assert response.status_code == 403
    assert "conflict of interest" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Score)) == 0


def test_a_score_outside_the_scale_is_refused(app, cast, contests):
    cid = contests.make(Phase.JURY, entries=1, judges=1)
    (e1,) = contests.entries(cid)
    with pytest.raises(DomainError, match="scored from 0 to 5"):
        _score(app, cid, e1, cast.judge, 5, 6)


def test_criteria_are_final_once_scoring_began(app, cast, contests):
    cid = contests.make(Phase.JURY, entries=1, judges=1)
    (e1,) = contests.entries(cid)
    _score(app, cid, e1, cast.judge, 5, 2)
    with app.app_context():
        contest = db.session.get(Contest, cid)
        with pytest.raises(DomainError, match="criteria are final"):
            jury.add_criterion(contest.competition, user(cast.organiser), "Beauty", "", 1, 1, 5)


def _scored_contest(app, cast, contests):
    """Two judges, three entries; judge 2 recused from entry 3; entry 2 has the most votes."""
    from civic.contests import voting

    cid = contests.make(Phase.VOTING, entries=3, judges=2)
    e1, e2, e3 = contests.entries(cid)
    with app.app_context():
        contest = db.session.get(Contest, cid)
        for voter in (cast.voter, cast.judge2, cast.moderator):
            voting.vote(contest, db.session.get(Entry, e2), user(voter))
        voting.vote(contest, db.session.get(Entry, e1), user(cast.voter))
        jury.save_settings(
            contest.competition,
            user(cast.organiser),
            jury_weight=0.5,
            public_weight=0.5,
            normalise="z",
            min_judges=1,
            winner_count=1,
        )
        db.session.commit()
    contests.move(cid, Phase.JURY)
    _score(app, cid, e1, cast.judge, 10, 5)
    _score(app, cid, e2, cast.judge, 4, 2)
    _score(app, cid, e3, cast.judge, 1, 0)
    _score(app, cid, e1, cast.judge2, 6, 3)
    _score(app, cid, e2, cast.judge2, 6, 4)
    with app.app_context():
        contest = db.session.get(Contest, cid)
        judge2 = jury.judge_of(contest.competition, user(cast.judge2))
        jury.recuse(judge2, db.session.get(Entry, e3), "Neighbour")
        db.session.commit()
    return cid, (e1, e2, e3)


def test_the_breakdown_is_the_engines_result_with_judges_numbered(app, cast, contests):
    cid, (e1, e2, e3) = _scored_contest(app, cast, contests)
    with app.test_request_context():
        contest = db.session.get(Contest, cid)
        built = results.build(contest)
        engine = score_contest(
            results.scoring_input(
                contest.competition,
                results.accepted_entries(contest.competition),
                services.active_judges(contest.competition),
                jury.criteria(contest.competition),
            )
        )
    assert [row["id"] for row in built["entries"]] == [int(key[1:]) for key in engine["order"]]
    for row in built["entries"]:
        figures = engine["entries"][f"E{row['id']}"]
        assert row["combined"] == figures["combined"]
        assert row["rank"] == figures["rank"]
    assert [j["label"] for j in built["judges"]] == ["Judge 1", "Judge 2"]
    third = next(row for row in built["entries"] if row["id"] == e3)
    assert third["per_judge"][1]["recused"] is True
    assert third["per_judge"][1]["scores"] == [None, None]
    first = next(row for row in built["entries"] if row["id"] == e1)
    # Judge 1 scored e1 at the top of both scales: raw total 1.0 (weights 2 and 1).
    assert first["per_judge"][0]["raw_total"] == pytest.approx(1.0)
    # The jury score is the mean of the normalised totals shown.
    assert first["jury_score"] == pytest.approx(
        sum(j["normalised"] for j in first["per_judge"] if j["normalised"] is not None) / 2
    )
    assert first["votes"] == 1
    assert next(row for row in built["entries"] if row["id"] == e2)["public_score"] == 1.0


def test_publishing_freezes_results_tells_winners_and_is_audited(app, client, auth, cast, contests):
    cid, _entries = _scored_contest(app, cast, contests)
    assert client.get(f"/contests/{cid}/results").status_code == 404  # not published yet
    auth.login(cast.organiser)
    manage = html.unescape(client.get(f"/contests/{cid}/manage").get_data(as_text=True))
    assert "Ranking (preview, not published)" in manage
    assert client.post(f"/contests/{cid}/results/publish").status_code == 303
    with app.app_context():
        contest = db.session.get(Contest, cid)
        assert contest.phase_at(utc_now()) == Phase.RESULTS
        winners = contest.competition.results["winners"]
        winner_authors = db.session.get(Entry, winners[0]).author_ids()
        told = set(db.session.scalars(select(Notification.user_id).where(Notification.kind == "contests.winner")))
        assert told == winner_authors
        assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "contests.publish_results"))
    auth.logout()
    page = html.unescape(client.get(f"/contests/{cid}/results").get_data(as_text=True))
    assert "Judge 1" in page
    assert "Judge 2" in page
    assert cast.judge.display_name not in page
    assert "<svg" in page
    assert 'id="ranking"' in page
    auth.login(cast.organiser)
    again = client.post(f"/contests/{cid}/results/publish")
    assert again.status_code == 409
    assert "already published" in again.get_data(as_text=True)


def test_results_before_voting_closes_are_refused(app, client, auth, cast, contests):
    cid = contests.make(Phase.VOTING, entries=1, judges=1)
    auth.login(cast.organiser)
    response = client.post(f"/contests/{cid}/results/publish")
    assert response.status_code == 409
    assert "once voting has closed" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Contest, cid).competition.results_published_at is None


def test_the_csv_is_formula_safe(app, client, auth, cast, contests):
    cid, (e1, _e2, _e3) = _scored_contest(app, cast, contests)
    with app.app_context():
        db.session.get(Entry, e1).title = '=HYPERLINK("http://evil")'
        db.session.commit()
    auth.login(cast.organiser)
    client.post(f"/contests/{cid}/results/publish")
    auth.logout()
    response = client.get(f"/contests/{cid}/results.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["rank", "entry_id", "title"]
    titles = {row[2] for row in rows[1:]}
    assert '\'=HYPERLINK("http://evil")' in titles
    assert len(rows) == 1 + 3 * 2  # one row per entry and judge


def test_the_phase_job_announces_each_change_once(app, cast, contests, runner):
    cid = contests.make(Phase.SUBMISSION, entries=2, judges=1)
    contests.move(cid, Phase.VOTING)
    first = runner.invoke(args=["contests", "advance-phases"])
    assert "1 contests changed phase." in first.output
    second = runner.invoke(args=["contests", "advance-phases"])
    assert "0 contests changed phase." in second.output
    with app.app_context():
        assert db.session.get(Contest, cid).announced_phase == "voting"
        told = set(db.session.scalars(select(Notification.user_id).where(Notification.kind == "contests.voting_open")))
        assert told == {cast.author.id, cast.voter2.id}
    contests.move(cid, Phase.JURY)
    runner.invoke(args=["contests", "advance-phases"])
    with app.app_context():
        told = set(db.session.scalars(select(Notification.user_id).where(Notification.kind == "contests.jury_open")))
        assert told == {cast.judge.id}
    contests.move(cid, Phase.RESULTS)
    runner.invoke(args=["contests", "advance-phases"])
    with app.app_context():  # the body's organisers (identity's holders), not officials elsewhere nor admins
        told = set(db.session.scalars(select(Notification.user_id).where(Notification.kind == "contests.results_due")))
        assert told == {cast.organiser.id}


def test_after_publication_authors_read_the_jurys_comments_and_the_organiser_reports(app, client, auth, cast, contests):
    cid = contests.make(Phase.JURY, entries=1, judges=1)
    (e1,) = contests.entries(cid)
    with app.app_context():
        c1, c2 = (c.id for c in jury.criteria(db.session.get(Contest, cid).competition))
    auth.login(cast.judge)
    client.post(f"/contests/{cid}/jury/entries/{e1}", data={f"c{c1}": "7", f"c{c2}": "3", "note": "Costs are vague."})
    auth.login(cast.organiser)
    early = client.post(f"/contests/{cid}/implementation", data={"text": "Done."})
    assert early.status_code == 409
    client.post(f"/contests/{cid}/results/publish")
    assert client.post(f"/contests/{cid}/implementation", data={"text": "Pilot in **Almaly**."}).status_code == 303
    auth.login(cast.author)
    page = client.get(f"/contests/{cid}/entries/{e1}").get_data(as_text=True)
    assert "Costs are vague." in page
    assert cast.judge.display_name not in page
    auth.logout()
    assert "Costs are vague." not in client.get(f"/contests/{cid}/entries/{e1}").get_data(as_text=True)
    assert "<strong>Almaly</strong>" in client.get(f"/contests/{cid}/results").get_data(as_text=True)


def test_a_removed_judge_no_longer_counts_and_accepts_again_when_reinvited(app, cast, contests):
    cid = contests.make(Phase.JURY, entries=1, judges=1)
    (e1,) = contests.entries(cid)
    _score(app, cid, e1, cast.judge, 8, 4)
    with app.test_request_context():
        contest = db.session.get(Contest, cid)
        (judge,) = jury.judges(contest.competition)
        jury.revoke_judge(judge, user(cast.organiser))
        assert results.build(contest)["entries"][0]["judges"] == 0
        assert jury.judge_of(contest.competition, user(cast.judge)) is None
        token = jury.invite_judge(contest.competition, user(cast.organiser), cast.judge.email, contest.title)
        assert jury.judge_of(contest.competition, user(cast.judge)) is None  # not before accepting again
        jury.accept_judge(token, user(cast.judge))
        assert results.build(contest)["entries"][0]["judges"] == 1
