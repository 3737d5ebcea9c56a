"""Trending-source alerts: moderators hear when one /24, /48 or email domain dominates recent signatures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from civic import db
from civic.db import utc_now
from civic.identity.models import Notification
from civic.petitions import alerts, integrity
from civic.petitions.models import PetitionSignature, PetitionSourceAlert

SETTINGS = alerts.AlertSettings(share=0.3, min_signatures=20, window=timedelta(hours=1))


@pytest.mark.parametrize(
    ("ip", "network"),
    [
        ("203.0.113.77", "203.0.113.0/24"),
        ("2001:db8:abcd:12::1", "2001:db8:abcd::/48"),
        ("::ffff:203.0.113.9", "203.0.113.0/24"),
        ("not an address", None),
    ],
)
def test_address_ranges(ip, network):
    assert integrity.address_range(ip) == network


@pytest.fixture
def crowd(app, make_user):
    """``crowd(pid, ips, domains, at=...)``: signatures by distinct new users (default: 5 minutes ago)."""

    def _add(pid, ips, domains, at=None, invalidated=False):
        at = at or utc_now() - timedelta(minutes=5)
        users = [make_user() for _ in ips]
        with app.app_context():
            for user, ip, domain in zip(users, ips, domains, strict=True):
                db.session.add(
                    PetitionSignature(
                        petition_id=pid,
                        user_id=user.id,
                        ip=ip,
                        email_domain=domain,
                        created_at=at,
                        invalidated_at=at if invalidated else None,
                    )
                )
            db.session.commit()

    return _add


@pytest.fixture
def quiet_petition(app, world):
    """``quiet_petition()``: an open petition whose first signatures (its supporters) are a day old."""

    def _make(**kwargs):
        pid = world.petition("open", **kwargs)
        with app.app_context():
            db.session.execute(
                update(PetitionSignature)
                .where(PetitionSignature.petition_id == pid)
                .values(created_at=utc_now() - timedelta(days=1))
            )
            db.session.commit()
        return pid

    return _make


def _alerts(app):
    with app.app_context():
        return db.session.execute(
            select(PetitionSourceAlert.kind, PetitionSourceAlert.source, PetitionSourceAlert.source_count)
        ).all()


def _notified(app, user):
    with app.app_context():
        return db.session.scalars(
            select(Notification.body).where(
                Notification.user_id == user.id, Notification.kind == "petitions.trending_source"
            )
        ).all()


def _send(app, now=None):
    with app.app_context():
        sent = alerts.send_alerts(now=now, settings=SETTINGS)
        db.session.commit()
        return len(sent)


def test_one_address_range_above_the_share_alerts_the_moderators(app, world, quiet_petition, crowd):
    pid = quiet_petition()
    # 8 of 20 recent signatures from one /24 (different addresses), the rest spread out
    ips = [f"203.0.113.{i}" for i in range(8)] + [f"198.51.{i}.1" for i in range(12)]
    crowd(pid, ips, [f"mail{i}.example" for i in range(20)])
    assert _send(app) == 1
    assert _alerts(app) == [("ip_range", "203.0.113.0/24", 8)]
    (body,) = _notified(app, world.moderator)
    assert "8 of the last 20 signatures" in body
    assert "203.0.113.0/24" in body


def test_email_domain_and_ipv6_ranges_are_sources_too(app, world, quiet_petition, crowd):
    pid = quiet_petition()
    ips = [f"2001:db8:1:{i:x}::1" for i in range(7)] + [f"10.{i}.0.1" for i in range(14)]
    domains = ["bulk.example"] * 9 + [f"d{i}.example" for i in range(12)]
    crowd(pid, ips, domains)
    assert _send(app) == 2
    assert sorted(_alerts(app)) == [("domain", "bulk.example", 9), ("ip_range", "2001:db8:1::/48", 7)]


def test_no_alert_at_or_below_the_share_or_below_the_minimum(app, world, quiet_petition, crowd):
    pid = quiet_petition()
    # exactly 30 %: 6 of 20 does not pass the share
    crowd(
        pid,
        [f"203.0.113.{i}" for i in range(6)] + [f"198.51.{i}.1" for i in range(14)],
        ["x.example"] * 6 + [f"d{i}.example" for i in range(14)],
    )
    other = quiet_petition(title="Light the footpath in the park of Almaly district")
    # 19 recent signatures all from one range: below the minimum of 20
    crowd(other, [f"192.0.2.{i}" for i in range(19)], [f"e{i}.example" for i in range(19)])
    assert _send(app) == 0
    assert _alerts(app) == []
    assert _notified(app, world.moderator) == []


def test_old_and_invalidated_signatures_do_not_count(app, world, quiet_petition, crowd):
    pid = quiet_petition()
    crowd(
        pid,
        [f"203.0.113.{i}" for i in range(10)],
        [f"a{i}.example" for i in range(10)],
        utc_now() - timedelta(minutes=90),
    )
    crowd(pid, [f"192.0.2.{i}" for i in range(10)], ["void.example"] * 10, invalidated=True)
    crowd(pid, [f"198.51.{i}.1" for i in range(20)], [f"b{i}.example" for i in range(20)])
    assert _send(app) == 0


def test_the_same_source_is_not_reported_twice_within_the_window(app, world, quiet_petition, crowd):
    pid = quiet_petition()
    crowd(pid, ["203.0.113.5"] * 10 + [f"198.51.{i}.1" for i in range(10)], [f"d{i}.example" for i in range(20)])
    now = utc_now()
    assert _send(app, now) == 1
    assert _send(app, now + timedelta(minutes=10)) == 0
    assert len(_notified(app, world.moderator)) == 1
    # a later wave after the window is reported again
    later = now + timedelta(minutes=61)
    wave = ["203.0.113.9"] * 10 + [f"192.0.{i}.1" for i in range(10)]
    crowd(pid, wave, [f"e{i}.example" for i in range(20)], later - timedelta(minutes=1))
    assert _send(app, later) == 1
    assert len(_notified(app, world.moderator)) == 2


def test_only_moderators_of_the_territory_are_told(app, world, quiet_petition, make_user, crowd):
    elsewhere = make_user(roles=[("moderator", "KZ-AST")])
    pid = quiet_petition()
    crowd(pid, ["203.0.113.5"] * 10 + [f"198.51.{i}.1" for i in range(10)], [f"d{i}.example" for i in range(20)])
    _send(app)
    assert len(_notified(app, world.moderator)) == 1
    assert _notified(app, elsewhere) == []


def test_settings_come_from_the_config_and_are_checked(app):
    settings = alerts.AlertSettings.from_config({})
    assert settings == alerts.AlertSettings(share=0.3, min_signatures=20, window=timedelta(minutes=60))
    assert alerts.AlertSettings.from_config(
        {
            "PETITIONS_TRENDING_SHARE": 0.5,
            "PETITIONS_TRENDING_MIN_SIGNATURES": 50,
            "PETITIONS_TRENDING_WINDOW_MINUTES": 30,
        }
    ) == alerts.AlertSettings(share=0.5, min_signatures=50, window=timedelta(minutes=30))
    with pytest.raises(ValueError, match="PETITIONS_TRENDING_SHARE"):
        alerts.AlertSettings.from_config({"PETITIONS_TRENDING_SHARE": 1.5})
    with pytest.raises(ValueError, match="PETITIONS_TRENDING_SHARE"):
        alerts.AlertSettings.from_config({"PETITIONS_TRENDING_MIN_SIGNATURES": 0})


def test_cli_trending_alerts(app, runner, world, quiet_petition, crowd):
    pid = quiet_petition()
    crowd(pid, ["203.0.113.5"] * 10 + [f"198.51.{i}.1" for i in range(10)], [f"d{i}.example" for i in range(20)])
    first = runner.invoke(args=["petitions", "trending-alerts"])
    assert first.exit_code == 0, first.output
    assert "1 trending-source alerts sent." in first.output
    second = runner.invoke(args=["petitions", "trending-alerts"])
    assert "0 trending-source alerts sent." in second.output
