"""Integrity: signatures grouped by IP address and email domain (trending), and voiding a selected set."""

from __future__ import annotations

import ipaddress
from collections import Counter
from datetime import datetime

from sqlalchemy import and_, func, or_, select, update

from civic import db
from civic.petitions import tallies
from civic.petitions.models import PetitionSignature


def trending(petition_ids, since: datetime, min_count: int = 2) -> dict[str, list]:
    """Signatures since ``since`` grouped by (petition, IP) and (petition, email domain), biggest groups first."""
    valid = and_(
        PetitionSignature.petition_id.in_(list(petition_ids)),
        PetitionSignature.created_at >= since,
        PetitionSignature.invalidated_at.is_(None),
    )
    groups = {}
    for name, column in (("ip", PetitionSignature.ip), ("domain", PetitionSignature.email_domain)):
        count = func.count().label("n")
        groups[name] = db.session.execute(
            select(PetitionSignature.petition_id, column.label("value"), count)
            .where(valid, column.is_not(None))
            .group_by(PetitionSignature.petition_id, column)
            .having(func.count() >= min_count)
            .order_by(count.desc(), column)
            .limit(100)
        ).all()
    return groups


#: Prefix lengths of the address ranges the trending-source alert groups by (a subscriber's or an office's network).
IPV4_PREFIX, IPV6_PREFIX = 24, 48


def address_range(ip: str) -> str | None:
    """The /24 (IPv4) or /48 (IPv6) network of an address, as text (``"203.0.113.0/24"``); None if unparsable."""
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    prefix = IPV4_PREFIX if address.version == 4 else IPV6_PREFIX
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def recent_sources(petition_id: int, since: datetime) -> tuple[int, Counter, Counter]:
    """A petition's valid signatures since ``since``: their number, and their counts per address range and per
    email domain (two grouped queries; addresses are folded into ranges in Python)."""
    valid = and_(
        PetitionSignature.petition_id == petition_id,
        PetitionSignature.created_at >= since,
        PetitionSignature.invalidated_at.is_(None),
    )
    total = db.session.scalar(select(func.count()).select_from(PetitionSignature).where(valid)) or 0
    ranges, domains = Counter(), Counter()
    by_ip = select(PetitionSignature.ip, func.count()).where(valid, PetitionSignature.ip.is_not(None))
    for ip, n in db.session.execute(by_ip.group_by(PetitionSignature.ip)):
        network = address_range(ip)
        if network is not None:
            ranges[network] += n
    by_domain = select(PetitionSignature.email_domain, func.count()).where(
        valid, PetitionSignature.email_domain.is_not(None)
    )
    for domain, n in db.session.execute(by_domain.group_by(PetitionSignature.email_domain)):
        domains[domain] += n
    return total, ranges, domains


def matching_signatures(petition_id: int, ips, domains, since: datetime, until: datetime):
    """The condition selecting a petition's valid signatures by IP or email domain in a time window."""
    by_source = or_(PetitionSignature.ip.in_(list(ips)), PetitionSignature.email_domain.in_(list(domains)))
    return and_(
        PetitionSignature.petition_id == petition_id,
        PetitionSignature.invalidated_at.is_(None),
        PetitionSignature.created_at >= since,
        PetitionSignature.created_at < until,
        by_source,
    )


def invalidate_matching(petition_id: int, condition, invalidation_id: int, now: datetime) -> int:
    """Void the matching signatures; those already tallied leave the counts. Returns how many were voided."""
    never_tallied = db.session.execute(
        update(PetitionSignature)
        .where(condition, PetitionSignature.tallied_at.is_(None))
        .values(invalidated_at=now, tallied_at=now, invalidation_id=invalidation_id)
        .execution_options(synchronize_session=False)
    ).rowcount
    tallied = db.session.execute(
        update(PetitionSignature)
        .where(condition)
        .values(invalidated_at=now, invalidation_id=invalidation_id)
        .returning(PetitionSignature.territory_id, PetitionSignature.created_at)
        .execution_options(synchronize_session=False)
    ).all()
    tallies.add_to_tallies(petition_id, [(r.territory_id, r.created_at) for r in tallied], sign=-1)
    return never_tallied + len(tallied)
