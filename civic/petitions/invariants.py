"""Invariants a sound (for example, a just-restored) database satisfies; `flask ops check` runs them."""

from __future__ import annotations

from sqlalchemy import func, select

from civic.petitions.models import Petition, PetitionSignature
from civic.petitions.models.signatures import PetitionTerritoryCount


def signature_counts(session) -> list[str]:
    """A petition's stored count is its tallied, valid signatures, and its districts add up to it."""
    tallied = (
        select(PetitionSignature.petition_id, func.count().label("n"))
        .where(PetitionSignature.tallied_at.is_not(None), PetitionSignature.invalidated_at.is_(None))
        .group_by(PetitionSignature.petition_id)
        .subquery()
    )
    districts = (
        select(PetitionTerritoryCount.petition_id, func.sum(PetitionTerritoryCount.count).label("n"))
        .group_by(PetitionTerritoryCount.petition_id)
        .subquery()
    )
    rows = session.execute(
        select(Petition.id, Petition.signature_count, tallied.c.n, districts.c.n)
        .outerjoin(tallied, tallied.c.petition_id == Petition.id)
        .outerjoin(districts, districts.c.petition_id == Petition.id)
    ).all()
    problems = []
    for pid, stored, counted, by_district in rows:
        if stored != (counted or 0):
            problems.append(f"petition {pid}: count {stored} but {counted or 0} tallied signatures")
        if (by_district or 0) != stored:
            problems.append(f"petition {pid}: districts add up to {by_district or 0}, count is {stored}")
    return problems


CHECKS = (signature_counts,)
