"""Finding 3 of the security review: re-linking answers from a database dump by each panelist's pattern of rounds.

The dump shows, per panelist, in which rounds they submitted (``delphi_participations``), and, per pseudonym, in
which rounds it has answers (``delphi_answers``). If a pseudonym lasted across rounds, a panelist whose pattern is
unique would be re-linked to their answers. A fresh pseudonym per round leaves every pseudonym in one round only.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import text

from civic import db
from civic.delphi import pseudonyms
from civic.delphi.models import DelphiStudy
from tests.delphi.conftest import converging_values


def _pattern_attack(app) -> dict:
    """What an attacker with a dump (no keys) can do: match unique round patterns. Returns panelist → pseudonym."""
    with app.app_context():
        connection = db.session.connection()
        by_panelist, by_pseudonym = defaultdict(set), defaultdict(set)
        for panelist_id, round_id in connection.execute(
            text("SELECT panelist_id, round_id FROM delphi_participations WHERE submitted")
        ):
            by_panelist[panelist_id].add(round_id)
        for pseudonym, round_id in connection.execute(text("SELECT DISTINCT pseudonym, round_id FROM delphi_answers")):
            by_pseudonym[pseudonym].add(round_id)
    panel_patterns = Counter(frozenset(v) for v in by_panelist.values())
    name_patterns = Counter(frozenset(v) for v in by_pseudonym.values())
    linked = {}
    for panelist, rounds in by_panelist.items():
        pattern = frozenset(rounds)
        if panel_patterns[pattern] == 1 and name_patterns[pattern] == 1:
            linked[panelist] = next(n for n, r in by_pseudonym.items() if frozenset(r) == pattern)
    return linked


def test_a_dump_does_not_relink_panelists_by_their_pattern_of_rounds(app, world):
    organiser, panel = world.organiser(), world.panel(7)
    study_id = world.study(organiser, panel=panel)
    # Round 1: everyone but the last panelist; round 2: everyone but the first. Their patterns are unique.
    for number, answering in ((1, panel[:-1]), (2, panel[1:])):
        assert world.open(study_id, organiser) == number
        for index, user in enumerate(answering):
            world.answer(study_id, number, user, converging_values(index, number))
        world.close(study_id, number, organiser)
        world.publish(study_id, number, organiser)
    assert _pattern_attack(app) == {}


def test_pseudonyms_differ_per_round_and_need_the_key(app, world):
    organiser, panel = world.organiser(), world.panel(6)
    study_id = world.study(organiser, panel=panel)
    for number in (1, 2):
        world.open(study_id, organiser)
        for index, user in enumerate(panel):
            world.answer(study_id, number, user, converging_values(index, number))
        world.close(study_id, number, organiser)
        world.publish(study_id, number, organiser)
    with app.app_context():
        study = db.session.get(DelphiStudy, study_id)
        first, second = study.round(1), study.round(2)
        names = {(r.number, pseudonyms.pseudonym(r, u.id)) for r in (first, second) for u in panel}
        assert len({n for _r, n in names}) == 12
        stored = set(db.session.execute(text("SELECT DISTINCT pseudonym FROM delphi_answers")).scalars())
        assert stored == {n for _r, n in names}
        app.config["DELPHI_PSEUDONYM_KEY"], saved = "another-key", app.config["DELPHI_PSEUDONYM_KEY"]
        try:
            assert pseudonyms.pseudonym(first, panel[0].id) not in stored
        finally:
            app.config["DELPHI_PSEUDONYM_KEY"] = saved


def test_rounds_from_before_move_to_per_round_pseudonyms(app, world):
    """A round stored under the old per-study pseudonym still finds the panelist's answers, and the CLI moves it."""
    from civic.delphi import services
    from civic.delphi.models import DelphiAnswer
    from civic.identity.models import User

    organiser, panel = world.organiser(), world.panel(6)
    study_id = world.study(organiser, panel=panel)
    world.open(study_id, organiser)
    for index, user in enumerate(panel):
        world.answer(study_id, 1, user, converging_values(index, 1))
    with app.app_context():  # what a round opened before migration platform_0003 looks like
        rnd = db.session.get(DelphiStudy, study_id).round(1)
        for user in panel:
            db.session.execute(
                DelphiAnswer.__table__.update()
                .where(
                    DelphiAnswer.round_id == rnd.id, DelphiAnswer.pseudonym == pseudonyms.round_pseudonym(rnd, user.id)
                )
                .values(pseudonym=pseudonyms.study_pseudonym(rnd.study, user.id))
            )
        rnd.pseudonym_scheme = 1
        db.session.commit()
        first = db.session.get(User, panel[0].id)
        assert len(services.own_answers(rnd, first)) == 3
    result = app.test_cli_runner().invoke(args=["delphi", "repseudonymise"])
    assert "1 rounds moved" in result.output
    with app.app_context():
        rnd = db.session.get(DelphiStudy, study_id).round(1)
        assert rnd.pseudonym_scheme == 2
        assert len(services.own_answers(rnd, db.session.get(User, panel[0].id))) == 3
        stored = set(db.session.execute(text("SELECT DISTINCT pseudonym FROM delphi_answers")).scalars())
        assert stored == {pseudonyms.round_pseudonym(rnd, u.id) for u in panel}
