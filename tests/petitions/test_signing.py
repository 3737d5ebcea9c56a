"""Signing: eligibility, one signature per person (also under concurrency), tallies, thresholds, invalidation."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from civic import db
from civic.core import deadlines
from civic.core.errors import DomainError, InvalidTransition, PermissionDenied
from civic.db import utc_now
from civic.identity.models import AssuranceLevel, AuditEvent, Notification, User
from civic.petitions import integrity, moderation, rules, signing, tallies
from civic.petitions.models import (
    Petition,
    PetitionDailyCount,
    PetitionSignature,
    PetitionTerritoryCount,
)


def _try_sign(app, pid, user, now=None):
    """Sign as a write transaction from the start (as a POST request does on SQLite)."""
    with app.app_context():
        db.write_intent.set(True)
        signer = db.session.get(User, user.id)
        try:
            signing.sign(pid, signer, ip="10.0.0.1", notify_me=False, now=now)
            db.session.commit()
        finally:
            db.session.rollback()


@pytest.mark.parametrize(
    ("level", "home", "message"),
    [
        (AssuranceLevel.REGISTERED, "KZ-ALA-ALM", "verified IIN"),
        (AssuranceLevel.EMAIL_VERIFIED, "KZ-ALA-ALM", "verified IIN"),
        (AssuranceLevel.IIN_VERIFIED, None, "Set where you live"),
        (AssuranceLevel.IIN_VERIFIED, "KZ-ALA-BOS", "Only residents"),
        (AssuranceLevel.IIN_VERIFIED, "KZ-AST-YES", "Only residents"),
    ],
)
def test_ineligible_signers_are_refused_with_the_reason(app, world, make_user, level, home, message):
    pid = world.petition("open", territory="KZ-ALA-ALM")
    user = make_user(level=level, home=home)
    with pytest.raises(PermissionDenied, match=message):
        _try_sign(app, pid, user)
    assert world.count(pid) == 5


@pytest.mark.parametrize(
    ("level", "home"), [(AssuranceLevel.IIN_VERIFIED, "KZ-ALA-ALM"), (AssuranceLevel.VERIFIED_IN_PERSON, "KZ-ALA-ALM")]
)
def test_residents_of_a_sub_territory_sign_a_city_petition(app, world, make_user, level, home):
    pid = world.petition("open", territory="KZ-ALA", category="ecology")
    _try_sign(app, pid, make_user(level=level, home=home))
    assert world.count(pid) == 6


def test_residence_rule_can_be_switched_off(app, world, make_user):
    pid = world.petition("open", territory="KZ-ALA-ALM")
    outsider = make_user(home="KZ-AST-YES")
    with app.app_context():
        rules.save_settings(5, False, actor=db.session.get(User, world.moderator.id))
        db.session.commit()
    _try_sign(app, pid, outsider)
    assert world.count(pid) == 6


@pytest.mark.parametrize("state", ["draft", "gathering_supporters", "awaiting_moderation", "closed"])
def test_signing_refused_unless_open(app, world, residents, state):
    pid = world.petition(state)
    with pytest.raises(InvalidTransition, match="not open"):
        _try_sign(app, pid, residents(1)[0])


def test_signing_refused_after_the_window_even_before_the_close_job(app, world, residents):
    pid = world.petition("open")
    later = world.get(pid).closes_at + timedelta(seconds=1)
    with pytest.raises(InvalidTransition):
        _try_sign(app, pid, residents(1)[0], now=later)


def test_one_signature_per_person(app, world, residents):
    pid = world.petition("open")
    signer = residents(1)[0]
    _try_sign(app, pid, signer)
    with pytest.raises(signing.AlreadySigned):
        _try_sign(app, pid, signer)
    assert world.count(pid) == 6


def test_many_threads_signing_the_same_petition_count_exactly(app, world, residents):
    """Every resident sends the signature from several threads at once: one row each, no error but 'already'."""
    pid = world.petition("open")
    signers = residents(12)
    outcomes, lock = [], threading.Lock()

    def attempt(user):
        try:
            _try_sign(app, pid, user)
            result = "signed"
        except signing.AlreadySigned:
            result = "already"
        except Exception as exc:  # noqa: BLE001 - any other outcome fails the test below
            result = repr(exc)
        with lock:
            outcomes.append((user.id, result))

    threads = [threading.Thread(target=attempt, args=(user,)) for user in signers for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == 36
    assert sorted(r for _u, r in outcomes if r not in ("signed", "already")) == []
    signed = [u for u, r in outcomes if r == "signed"]
    assert sorted(signed) == sorted(u.id for u in signers)  # exactly one success per person
    with app.app_context():
        rows = db.session.execute(
            select(PetitionSignature.user_id, func.count())
            .where(PetitionSignature.petition_id == pid)
            .group_by(PetitionSignature.user_id)
        ).all()
        assert all(n == 1 for _u, n in rows)
        assert len(rows) == 17
    assert world.count(pid) == 17
    world.tally(pid)
    assert world.get(pid).signature_count == 17


def test_tally_adds_each_signature_once_to_count_districts_and_days(app, world, make_user):
    pid = world.petition("open", territory="KZ-ALA", category="ecology")
    for home in ("KZ-ALA-BOS", "KZ-ALA-BOS", "KZ-ALA-MED"):
        _try_sign(app, pid, make_user(home=home))
    assert world.get(pid).signature_count == 0
    assert world.count(pid) == 8
    assert world.tally(pid) == 8
    assert world.tally(pid) == 0
    with app.app_context():
        petition = db.session.get(Petition, pid)
        assert petition.signature_count == 8
        assert tallies.live_count(petition) == 8
        by_territory = dict(
            db.session.execute(
                select(PetitionTerritoryCount.territory_id, PetitionTerritoryCount.count).where(
                    PetitionTerritoryCount.petition_id == pid
                )
            ).all()
        )
        assert by_territory[world.directory.territories["KZ-ALA-BOS"]] == 2
        assert by_territory[world.directory.territories["KZ-ALA-ALM"]] == 5
        assert (
            sum(db.session.scalars(select(PetitionDailyCount.count).where(PetitionDailyCount.petition_id == pid))) == 8
        )
        from civic.petitions import queries

        with app.test_request_context():
            areas = {name: n for _id, name, n in queries.signatures_by_area(petition)}
        assert areas == {"Almaly District": 5, "Bostandyk District": 2, "Medeu District": 1}


def test_withdrawal_removes_tallied_and_untallied_signatures(app, world, residents):
    pid = world.petition("open")
    early, late = residents(2)
    _try_sign(app, pid, early)
    world.tally(pid)
    _try_sign(app, pid, late)
    with app.app_context():
        petition = db.session.get(Petition, pid)
        for user in (early, late):
            signing.withdraw_signature(petition, db.session.get(User, user.id))
        with pytest.raises(DomainError, match="not signed"):
            signing.withdraw_signature(petition, db.session.get(User, early.id))
        db.session.commit()
    assert world.count(pid) == 5
    world.tally(pid)
    with app.app_context():
        total = db.session.scalar(
            select(func.sum(PetitionTerritoryCount.count)).where(PetitionTerritoryCount.petition_id == pid)
        )
    assert world.get(pid).signature_count == 5
    assert total == 5
    _try_sign(app, pid, early)  # may sign again while open
    assert world.count(pid) == 6


def test_withdrawal_refused_when_closed(app, world, residents):
    pid = world.petition("open")
    signer = residents(1)[0]
    _try_sign(app, pid, signer)
    world.advance(pid, "closed")
    with app.app_context(), pytest.raises(InvalidTransition):
        signing.withdraw_signature(db.session.get(Petition, pid), db.session.get(User, signer.id))


def test_thresholds_are_stamped_at_the_nth_signature_exactly_once(app, world, residents):
    pid = world.petition("open")
    official = world.official_for(pid)
    world.set_thresholds(pid, response=7, hearing=9)
    signers = residents(4)
    for signer in signers[:2]:
        _try_sign(app, pid, signer)
    world.tally(pid)
    with app.app_context():
        seventh = db.session.scalars(
            select(PetitionSignature.created_at)
            .where(PetitionSignature.petition_id == pid)
            .order_by(PetitionSignature.created_at, PetitionSignature.id)
        ).all()[6]
    petition = world.get(pid)
    assert petition.response_threshold_reached_at == seventh
    assert petition.response_due_at == deadlines.compute_due(seventh)  # 15 days on the platform's legal clock
    assert petition.hearing_threshold_reached_at is None
    for signer in signers[2:]:
        _try_sign(app, pid, signer)
    world.tally(pid)
    world.tally(pid)
    petition = world.get(pid)
    assert petition.response_threshold_reached_at == seventh
    assert petition.hearing_threshold_reached_at is not None
    with app.app_context():
        kinds = db.session.execute(select(Notification.kind, Notification.user_id)).all()
    assert kinds.count(("petitions.threshold_response", official.id)) == 1
    assert kinds.count(("petitions.threshold_response", world.author.id)) == 1
    assert kinds.count(("petitions.threshold_hearing", world.author.id)) == 1


def test_concurrent_tallies_stamp_the_threshold_once(app, world, residents):
    pid = world.petition("open")
    world.set_thresholds(pid, response=6, hearing=50)
    _try_sign(app, pid, residents(1)[0])
    errors = []

    def run():
        try:
            world.tally(pid)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert world.get(pid).signature_count == 6
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(Notification)
                .where(Notification.kind == "petitions.threshold_response")
            )
            == 1
        )


def test_invalidation_voids_a_selected_source_and_moves_the_threshold(app, world, residents):
    pid = world.petition("open")
    world.set_thresholds(pid, response=8, hearing=50)
    honest, bots = residents(2), residents(4)
    for user in honest:
        world.sign(pid, user, ip="10.0.0.1")
    for user in bots[:2]:
        world.sign(pid, user, ip="203.0.113.7")
    world.tally(pid)
    for user in bots[2:]:
        world.sign(pid, user, ip="203.0.113.7")  # two not tallied yet
    assert world.get(pid).response_threshold_reached_at is not None
    with app.app_context():
        petition = db.session.get(Petition, pid)
        moderator = db.session.get(User, world.moderator.id)
        groups = integrity.trending([pid], utc_now() - timedelta(hours=1))
        assert ("203.0.113.7", 4) in [(g.value, g.n) for g in groups["ip"]]
        with pytest.raises(DomainError, match="Select at least one"):
            moderation.invalidate(
                petition,
                moderator,
                ips=[],
                domains=[],
                since=utc_now() - timedelta(hours=1),
                until=utc_now(),
                reason="Script",
            )
        record = moderation.invalidate(
            petition,
            moderator,
            ips=["203.0.113.7"],
            domains=[],
            since=utc_now() - timedelta(hours=1),
            until=utc_now(),
            reason="One script IP",
        )
        db.session.commit()
        assert record.invalidated_count == 4
        assert (
            db.session.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "petitions.invalidate")
            )
            == 1
        )
    assert world.count(pid) == 7
    world.tally(pid)
    petition = world.get(pid)
    assert petition.signature_count == 7
    assert petition.response_threshold_reached_at is None
    assert petition.response_due_at is None
    with app.app_context():
        total = db.session.scalar(
            select(func.sum(PetitionTerritoryCount.count)).where(PetitionTerritoryCount.petition_id == pid)
        )
    assert total == 7
    world.sign(pid, residents(1)[0])
    world.tally(pid)
    assert world.get(pid).response_threshold_reached_at is not None


def test_invalidation_refused_to_non_moderators_and_without_reason(app, world, residents):
    pid = world.petition("open")
    world.sign(pid, residents(1)[0], ip="10.1.1.1")
    resident = residents(1)[0]
    with app.app_context():
        petition = db.session.get(Petition, pid)
        window = {"since": utc_now() - timedelta(hours=1), "until": utc_now()}
        with pytest.raises(PermissionDenied):
            moderation.invalidate(
                petition, db.session.get(User, resident.id), ips=["10.1.1.1"], domains=[], reason="x", **window
            )
        with pytest.raises(DomainError, match="reason"):
            moderation.invalidate(
                petition, db.session.get(User, world.moderator.id), ips=["10.1.1.1"], domains=[], reason=" ", **window
            )
