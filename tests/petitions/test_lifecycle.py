"""Every transition of the petition lifecycle, valid and refused, through the services."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from civic import db
from civic.core.errors import Conflict, DomainError, InvalidTransition, PermissionDenied
from civic.db import utc_now
from civic.identity.models import AssuranceLevel, AuditEvent, Notification, StateBody, User
from civic.petitions import moderation, rules, services
from civic.petitions.models import Petition, PetitionSignature, PetitionState
from civic.petitions.models.petition import TRANSITION_REFUSALS, TRANSITIONS

S = PetitionState
ALL_STATES = list(PetitionState)


@pytest.mark.parametrize("action", sorted(TRANSITIONS))
@pytest.mark.parametrize("state", ALL_STATES)
def test_transition_table_allows_exactly_the_listed_moves(action, state):
    petition = Petition(state=state)
    sources, target = TRANSITIONS[action]
    if state in sources:
        petition.move(action)
        assert petition.state == target
    else:
        with pytest.raises(InvalidTransition) as refused:
            petition.move(action)
        assert str(refused.value) == str(TRANSITION_REFUSALS[action])
        assert petition.state == state


def _audits(app, action):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def test_draft_to_supporters_to_moderation(app, world):
    pid = world.draft()
    assert world.get(pid).state == S.DRAFT
    world.advance(pid, "gathering_supporters")
    petition = world.get(pid)
    assert petition.state == S.GATHERING_SUPPORTERS
    assert petition.submitted_at is not None
    with app.app_context():
        petition = db.session.get(Petition, pid)
        for supporter in world.supporters[:4]:
            services.support(petition, db.session.get(User, supporter.id))
        assert petition.state == S.GATHERING_SUPPORTERS  # 4 of 5
        services.support(petition, db.session.get(User, world.supporters[4].id))
        assert petition.state == S.AWAITING_MODERATION
        assert petition.moderation_started_at is not None
        db.session.commit()
        kinds = set(db.session.scalars(select(Notification.kind)))
    assert {"petitions.in_moderation", "petitions.to_moderate"} <= kinds


def test_supporting_is_refused_when_not_gathering_twice_by_author_or_unverified(app, world):
    pid = world.draft()
    with app.app_context():
        petition = db.session.get(Petition, pid)
        supporter = db.session.get(User, world.supporters[0].id)
        with pytest.raises(DomainError, match="not collecting supporters"):
            services.support(petition, supporter)
    world.advance(pid, "gathering_supporters")
    unverified = world.user(level=AssuranceLevel.EMAIL_VERIFIED)
    elsewhere = world.user(home="KZ-AST-YES")
    with app.app_context():
        petition = db.session.get(Petition, pid)
        with pytest.raises(DomainError, match="You wrote this petition"):
            services.support(petition, db.session.get(User, world.author.id))
        services.support(petition, db.session.get(User, world.supporters[0].id))
        with pytest.raises(Conflict):
            services.support(petition, db.session.get(User, world.supporters[0].id))
        with pytest.raises(PermissionDenied, match="verified IIN"):
            services.support(petition, db.session.get(User, unverified.id))
        with pytest.raises(PermissionDenied, match="residents"):
            services.support(petition, db.session.get(User, elsewhere.id))
        assert services.supporter_count(petition) == 1


def test_only_the_author_edits_submits_and_withdraws(app, world):
    pid = world.draft()
    stranger = world.user()
    with app.app_context():
        petition = db.session.get(Petition, pid)
        other = db.session.get(User, stranger.id)
        for action in (services.submit_for_supporters, services.withdraw):
            with pytest.raises(PermissionDenied):
                action(petition, other)
        with pytest.raises(PermissionDenied):
            services.update_draft(
                petition, other, "A new title for it", "x" * 40, petition.territory, petition.category, "en"
            )


def test_draft_edits_are_validated_and_frozen_after_submission(app, world):
    pid = world.draft()
    with app.app_context():
        petition = db.session.get(Petition, pid)
        author = db.session.get(User, world.author.id)
        with pytest.raises(DomainError) as short:
            services.update_draft(petition, author, "Too short", "x" * 40, petition.territory, petition.category, "en")
        assert short.value.field == "title"
        services.update_draft(
            petition,
            author,
            "Repair the lift in block 5",
            "The lift has been broken for three months and elderly residents cannot leave home.",
            petition.territory,
            petition.category,
            "ru",
        )
        assert "лифт" not in petition.search_text
        assert "repair the lift" in petition.search_text
        services.submit_for_supporters(petition, author)
        with pytest.raises(DomainError, match="Only a draft"):
            services.update_draft(
                petition, author, "Repair the lift now", "x" * 40, petition.territory, petition.category, "ru"
            )


def test_submitting_needs_a_verified_iin(app, world):
    author = world.user(level=AssuranceLevel.EMAIL_VERIFIED)
    pid = world.draft(author=author)
    with app.app_context(), pytest.raises(PermissionDenied, match="IIN"):
        services.submit_for_supporters(db.session.get(Petition, pid), db.session.get(User, author.id))


def test_drafting_needs_a_confirmed_email_and_an_active_category(app, world):
    registered = world.user(level=AssuranceLevel.REGISTERED)
    with pytest.raises(PermissionDenied):
        world.draft(author=registered)
    with app.app_context():
        category = db.session.scalar(select(services.Category).where(services.Category.code == "debts"))
        territory = world.directory.territory("KZ-ALA")
        with pytest.raises(DomainError) as wrong:
            services.create_draft(
                db.session.get(User, world.author.id), "A title long enough", "x" * 40, territory, category
            )
        assert wrong.value.field == "category"


def test_approval_opens_with_the_level_rules_routes_and_turns_supporters_into_signers(app, world):
    pid = world.petition("awaiting_moderation", territory="KZ-ALA-ALM", category="transport_roads")
    with app.app_context():
        rules.save_level_rule("district", 7, 30, 45, actor=db.session.get(User, world.moderator.id))
        db.session.commit()
    before = utc_now()
    world.advance(pid, "open")
    petition = world.get(pid)
    assert petition.state == S.OPEN
    assert (petition.response_threshold, petition.hearing_threshold) == (7, 30)
    assert timedelta(days=45) - timedelta(minutes=1) < petition.closes_at - before < timedelta(days=45, minutes=1)
    assert world.body(world.body_for("KZ-ALA-ALM", "transport_roads")).id == petition.state_body_id
    assert world.count(pid) == 5
    assert _audits(app, "petitions.approve") == 1


def test_moderation_is_limited_to_the_moderators_territory(app, world, make_user):
    pid = world.petition("awaiting_moderation")
    astana_moderator = make_user(roles=[("moderator", "KZ-AST")])
    resident = world.user()
    with app.app_context():
        petition = db.session.get(Petition, pid)
        for user in (astana_moderator, resident):
            with pytest.raises(PermissionDenied):
                moderation.approve(petition, db.session.get(User, user.id))
            with pytest.raises(PermissionDenied):
                moderation.reject(petition, db.session.get(User, user.id), "unclear", "Unclear.")


def test_rejection_needs_reason_explanation_and_an_original_for_duplicates(app, world):
    original = world.petition("open", title="Build a new school in Almaly district now")
    pid = world.petition("awaiting_moderation")
    with app.app_context():
        petition = db.session.get(Petition, pid)
        moderator = db.session.get(User, world.moderator.id)
        with pytest.raises(DomainError, match="Choose a reason"):
            moderation.reject(petition, moderator, "nonsense", "x")
        with pytest.raises(DomainError, match="Explain"):
            moderation.reject(petition, moderator, "unclear", "  ")
        with pytest.raises(DomainError, match="duplicates"):
            moderation.reject(petition, moderator, "duplicate", "Same as another.")
        moderation.reject(
            petition, moderator, "duplicate", "Same as No. 1.", duplicate_of=db.session.get(Petition, original)
        )
        assert petition.state == S.REJECTED
        assert petition.duplicate_of_id == original
        assert petition.rejection_label == "Duplicate of an existing petition"
        with pytest.raises(InvalidTransition):
            moderation.approve(petition, moderator)
        db.session.commit()
    assert _audits(app, "petitions.reject") == 1


def test_offensive_rejection_hides_instead_of_publishing(app, world):
    pid = world.petition("awaiting_moderation")
    with app.app_context():
        petition = db.session.get(Petition, pid)
        moderation.reject(petition, db.session.get(User, world.moderator.id), "offensive", "Insults a named person.")
        assert petition.state == S.HIDDEN
        assert petition.hidden_at is not None
        assert not petition.is_public


@pytest.mark.parametrize("state", ["gathering_supporters", "open", "closed"])
def test_hide_from_public_states_and_refuse_from_draft(app, world, state):
    pid = world.petition(state)
    draft = world.draft()
    with app.app_context():
        moderator = db.session.get(User, world.moderator.id)
        moderation.hide(db.session.get(Petition, pid), moderator, "Defamatory.")
        assert db.session.get(Petition, pid).state == S.HIDDEN
        with pytest.raises(InvalidTransition):
            moderation.hide(db.session.get(Petition, draft), moderator, "Defamatory.")
        with pytest.raises(DomainError):
            moderation.hide(db.session.get(Petition, draft), moderator, "")


@pytest.mark.parametrize(
    ("state", "allowed"),
    [
        ("draft", True),
        ("gathering_supporters", True),
        ("awaiting_moderation", True),
        ("open", False),
        ("closed", False),
    ],
)
def test_withdraw_only_before_opening(app, world, state, allowed):
    pid = world.petition(state)
    with app.app_context():
        petition = db.session.get(Petition, pid)
        author = db.session.get(User, world.author.id)
        if allowed:
            services.withdraw(petition, author)
            assert petition.state == S.WITHDRAWN
            assert petition.withdrawn_at is not None
        else:
            with pytest.raises(InvalidTransition, match="before it opens"):
                services.withdraw(petition, author)


def test_close_expired_closes_once_at_the_closing_moment(app, world):
    pid = world.petition("open")
    with app.app_context():
        petition = db.session.get(Petition, pid)
        assert services.close_expired() == []
        closes_at = utc_now() - timedelta(minutes=3)
        petition.closes_at = closes_at
        db.session.commit()
        assert services.close_expired() == [pid]
        assert services.close_expired() == []
        db.session.commit()
        petition = db.session.get(Petition, pid)
        assert petition.state == S.CLOSED
        assert petition.closed_at == closes_at
        assert petition.signature_count == 5  # the final tally ran
        assert (
            db.session.scalar(
                select(func.count()).select_from(Notification).where(Notification.kind == "petitions.closed")
            )
            == 1
        )


def test_reroute_is_audited_and_needs_a_routable_state(app, world):
    pid = world.petition("open")
    draft = world.draft()
    with app.app_context():
        moderator = db.session.get(User, world.moderator.id)
        body = db.session.scalar(select(StateBody).where(StateBody.code == "KZ-ALA.URBAN"))
        moderation.reroute(db.session.get(Petition, pid), moderator, body)
        assert db.session.get(Petition, pid).state_body_id == body.id
        with pytest.raises(DomainError):
            moderation.reroute(db.session.get(Petition, draft), moderator, body)
        db.session.commit()
    assert _audits(app, "petitions.reroute") == 1


def test_response_by_the_routed_body_only_and_fan_out_to_opted_in_signers(app, world, residents):
    pid = world.petition("open")
    signers = residents(3)
    for i, signer in enumerate(signers):
        world.sign(pid, signer, notify=i < 2)
    official = world.official_for(pid)
    other_official = world.make_user(roles=[("official", None, "KZ-AST.AKIMAT")])
    with app.app_context():
        petition = db.session.get(Petition, pid)
        with pytest.raises(PermissionDenied):
            services.publish_response(petition, db.session.get(User, other_official.id), "We will build it in 2027.")
        with pytest.raises(DomainError, match="at least 20"):
            services.publish_response(petition, db.session.get(User, official.id), "ok")
        services.publish_response(petition, db.session.get(User, official.id), "We will build the crossing by May.")
        assert petition.responded_at is not None
        assert petition.response_body_id == petition.state_body_id
        assert services.notify_signers_of_response(petition, batch=1) == 1
        assert services.notify_signers_of_response(petition, batch=10) == 1
        assert petition.response_notified_at is not None
        assert services.notify_signers_of_response(petition) == 0
        services.publish_response(petition, db.session.get(User, official.id), "Correction: the crossing by June.")
        assert petition.response_updated_at is not None
        db.session.commit()
        told = set(db.session.scalars(select(Notification.user_id).where(Notification.kind == "petitions.response")))
    assert told == {signers[0].id, signers[1].id, world.author.id}
    assert _audits(app, "petitions.respond") == 1
    assert _audits(app, "petitions.response_corrected") == 1


def test_response_refused_for_unpublished_petitions(app, world):
    pid = world.petition("awaiting_moderation")
    admin = world.make_user(roles=["admin"])
    with app.app_context(), pytest.raises(PermissionDenied):
        services.publish_response(db.session.get(Petition, pid), db.session.get(User, admin.id), "x" * 30)


def test_erasing_an_account_keeps_the_signature_but_forgets_ip_and_domain(app, world, residents):
    from civic.identity.services import erase_user

    pid = world.petition("open")
    signer = residents(1)[0]
    world.sign(pid, signer, ip="10.9.9.9")
    with app.app_context():
        erase_user(db.session.get(User, signer.id))
        db.session.commit()
        row = db.session.scalar(select(PetitionSignature).where(PetitionSignature.user_id == signer.id))
        assert row is not None
        assert row.ip is None
        assert row.email_domain is None
    assert world.count(pid) == 6
