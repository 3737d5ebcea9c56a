"""Trending-source alerts: tell the moderators when one address range or one email domain dominates a petition's
recent signatures (``flask petitions trending-alerts``, run from cron every few minutes).

For every open petition with at least ``PETITIONS_TRENDING_MIN_SIGNATURES`` (20) valid signatures in the last
``PETITIONS_TRENDING_WINDOW_MINUTES`` (60), a source is reported when it made more than ``PETITIONS_TRENDING_SHARE``
(0.3) of them. A source is an IPv4 /24 or IPv6 /48 network, or an email domain. Each alert is recorded in
``petition_source_alerts``; the same petition and source is not reported again within the window. The alert only
informs: voiding signatures stays a moderator's decision on the petition's integrity page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from civic import db
from civic.core.http import path_for
from civic.db import utc_now
from civic.identity.notifications import notify
from civic.identity.permissions import holders
from civic.petitions import integrity
from civic.petitions.models import Petition, PetitionSignature, PetitionSourceAlert, PetitionState
from civic.petitions.permissions import MODERATE

DEFAULT_SHARE, DEFAULT_MIN_SIGNATURES, DEFAULT_WINDOW_MINUTES = 0.3, 20, 60
IP_RANGE, DOMAIN = "ip_range", "domain"


@dataclass(frozen=True)
class AlertSettings:
    share: float
    min_signatures: int
    window: timedelta

    @classmethod
    def from_config(cls, config) -> AlertSettings:
        share = float(config.get("PETITIONS_TRENDING_SHARE", DEFAULT_SHARE))
        minimum = int(config.get("PETITIONS_TRENDING_MIN_SIGNATURES", DEFAULT_MIN_SIGNATURES))
        minutes = int(config.get("PETITIONS_TRENDING_WINDOW_MINUTES", DEFAULT_WINDOW_MINUTES))
        if not 0 < share < 1 or minimum < 1 or minutes < 1:
            raise ValueError(
                "PETITIONS_TRENDING_SHARE must be between 0 and 1, PETITIONS_TRENDING_MIN_SIGNATURES and "
                "PETITIONS_TRENDING_WINDOW_MINUTES at least 1"
            )
        return cls(share=share, min_signatures=minimum, window=timedelta(minutes=minutes))


@dataclass(frozen=True)
class Finding:
    petition_id: int
    kind: str
    source: str
    count: int
    total: int

    @property
    def share(self) -> float:
        return self.count / self.total


def find(settings: AlertSettings, now: datetime) -> list[Finding]:
    """The sources above the share on open petitions with enough recent signatures (nothing is recorded)."""
    since = now - settings.window
    busy = db.session.execute(
        select(PetitionSignature.petition_id)
        .join(Petition, Petition.id == PetitionSignature.petition_id)
        .where(
            Petition.state == PetitionState.OPEN,
            PetitionSignature.created_at >= since,
            PetitionSignature.invalidated_at.is_(None),
        )
        .group_by(PetitionSignature.petition_id)
        .having(func.count() >= settings.min_signatures)
        .order_by(PetitionSignature.petition_id)
    ).scalars()
    findings = []
    for petition_id in busy.all():
        total, ranges, domains = integrity.recent_sources(petition_id, since)
        if total < settings.min_signatures:
            continue
        for kind, counts in ((IP_RANGE, ranges), (DOMAIN, domains)):
            for source, n in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
                if n > settings.share * total:
                    findings.append(Finding(petition_id, kind, source, n, total))
    return findings


def _already_alerted(finding: Finding, since: datetime) -> bool:
    return (
        db.session.scalar(
            select(PetitionSourceAlert.id)
            .where(
                PetitionSourceAlert.petition_id == finding.petition_id,
                PetitionSourceAlert.kind == finding.kind,
                PetitionSourceAlert.source == finding.source,
                PetitionSourceAlert.created_at >= since,
            )
            .limit(1)
        )
        is not None
    )


def send_alerts(now: datetime | None = None, settings: AlertSettings | None = None) -> list[PetitionSourceAlert]:
    """Record and send the new alerts (flushes; the caller commits). Returns the alerts sent now."""
    now = now or utc_now()
    settings = settings or AlertSettings.from_config(current_app.config)
    since = now - settings.window
    sent = []
    for finding in find(settings, now):
        if _already_alerted(finding, since):
            continue
        alert = PetitionSourceAlert(
            petition_id=finding.petition_id,
            kind=finding.kind,
            source=finding.source,
            source_count=finding.count,
            recent_count=finding.total,
            window_start=since,
            created_at=now,
        )
        db.session.add(alert)
        db.session.flush()
        _notify_moderators(db.session.get(Petition, finding.petition_id), finding, settings)
        sent.append(alert)
    return sent


def _notify_moderators(petition: Petition, finding: Finding, settings: AlertSettings) -> None:
    minutes = int(settings.window.total_seconds() // 60)
    kind = _l("address range") if finding.kind == IP_RANGE else _l("email domain")
    hours = max(1, -(-minutes // 60))
    for moderator in moderators_of(petition):
        notify(
            moderator,
            "petitions.trending_source",
            _l("Many signatures from one source on “%(title)s”", title=petition.title),
            _l(
                "%(count)s of the last %(total)s signatures (%(minutes)s minutes) came from the %(kind)s %(source)s. "
                "Check them on the petition's integrity page.",
                count=finding.count,
                total=finding.total,
                minutes=minutes,
                kind=kind,
                source=finding.source,
            ),
            link=path_for("petitions.petition_integrity", petition_id=petition.id, hours=hours),
        )


def moderators_of(petition: Petition):
    """The moderators responsible for the petition's territory (``petitions.moderate`` over it)."""
    return holders(MODERATE, territory=petition.territory)
