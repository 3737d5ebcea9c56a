"""Signers' IP addresses are erased a configurable time after the petition closes (flask petitions purge-ips)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from civic import db
from civic.db import utc_now
from civic.petitions import retention
from civic.petitions.models import Petition, PetitionSignature


def _ips(app, pid):
    with app.app_context():
        return db.session.scalars(
            select(PetitionSignature.ip)
            .where(PetitionSignature.petition_id == pid, PetitionSignature.ip.is_not(None))
            .order_by(PetitionSignature.ip)
        ).all()


def _closed_days_ago(app, pid, days):
    with app.app_context():
        petition = db.session.get(Petition, pid)
        petition.closed_at = petition.closes_at = utc_now() - timedelta(days=days)
        db.session.commit()


@pytest.fixture
def signed(world, residents):
    """Two petitions with signatures from known addresses: one closed, one open."""

    def _make(state):
        pid = world.petition("open", title=f"Plant trees along the river embankment ({state})")
        for i, signer in enumerate(residents(3)):
            world.sign(pid, signer, ip=f"198.51.100.{i + 1}")
        if state == "closed":
            world.advance(pid, "closed")
        return pid

    return _make


def test_ips_are_erased_after_the_retention_period_only(app, signed):
    closed, still_open = signed("closed"), signed("open")
    _closed_days_ago(app, closed, 89)
    with app.app_context():
        assert retention.purge_ips() == (0, 0)
        db.session.commit()
    assert _ips(app, closed) == ["198.51.100.1", "198.51.100.2", "198.51.100.3"]
    _closed_days_ago(app, closed, 91)
    with app.app_context():
        assert retention.purge_ips() == (1, 3)
        db.session.commit()
        assert db.session.get(Petition, closed).ips_purged_at is not None
        assert db.session.get(Petition, still_open).ips_purged_at is None
    assert _ips(app, closed) == []
    assert _ips(app, still_open) == ["198.51.100.1", "198.51.100.2", "198.51.100.3"]
    with app.app_context():  # nothing left to do: the purged petition is skipped
        assert retention.purge_ips() == (0, 0)


def test_the_period_is_configurable_and_checked(app, signed):
    closed = signed("closed")
    _closed_days_ago(app, closed, 8)
    app.config["PETITIONS_IP_RETENTION_DAYS"] = 7
    try:
        with app.app_context():
            assert retention.purge_ips() == (1, 3)
            db.session.commit()
        app.config["PETITIONS_IP_RETENTION_DAYS"] = -1
        with app.app_context(), pytest.raises(ValueError, match="PETITIONS_IP_RETENTION_DAYS"):
            retention.purge_ips()
    finally:
        app.config.pop("PETITIONS_IP_RETENTION_DAYS", None)
    assert _ips(app, closed) == []


def test_cli_purge_ips(app, runner, signed):
    closed = signed("closed")
    _closed_days_ago(app, closed, 120)
    result = runner.invoke(args=["petitions", "purge-ips"])
    assert result.exit_code == 0, result.output
    assert "3 signatures on 1 petitions" in result.output
    assert _ips(app, closed) == []
