"""How long signers' IP addresses are kept: erased a configurable time after the petition closes.

The addresses serve the integrity view and the trending-source alerts while a petition gathers signatures; once it
has closed and the retention period (``PETITIONS_IP_RETENTION_DAYS``, 90 by default) has passed nobody needs them.
The email domain is kept: it identifies no one and the integrity record of invalidations refers to it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update

from civic import db
from civic.db import utc_now
from civic.petitions.models import Petition, PetitionSignature, PetitionState

DEFAULT_IP_RETENTION_DAYS = 90


def ip_retention() -> timedelta:
    """The configured retention period; a negative or non-integer value is a configuration error."""
    days = current_app.config.get("PETITIONS_IP_RETENTION_DAYS", DEFAULT_IP_RETENTION_DAYS)
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise ValueError(f"PETITIONS_IP_RETENTION_DAYS must be a non-negative integer of days, got {days!r}")
    return timedelta(days=days)


def purge_ips(now: datetime | None = None) -> tuple[int, int]:
    """Erase the IP addresses of signatures on petitions closed longer than the retention period.

    A petition counts as closed at ``closed_at`` (or, if it was hidden while open, at the end of its signing window).
    Returns (petitions purged, signatures cleared); each petition is stamped ``ips_purged_at`` and skipped later.
    """
    now = now or utc_now()
    cutoff = now - ip_retention()
    ended = func.coalesce(Petition.closed_at, Petition.closes_at)
    ids = db.session.scalars(
        select(Petition.id).where(
            Petition.ips_purged_at.is_(None),
            Petition.state != PetitionState.OPEN,
            ended.is_not(None),
            ended <= cutoff,
        )
    ).all()
    cleared = 0
    for petition_id in ids:
        cleared += db.session.execute(
            update(PetitionSignature)
            .where(PetitionSignature.petition_id == petition_id, PetitionSignature.ip.is_not(None))
            .values(ip=None)
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.execute(
            update(Petition)
            .where(Petition.id == petition_id)
            .values(ips_purged_at=now)
            .execution_options(synchronize_session=False)
        )
    return len(ids), cleared
