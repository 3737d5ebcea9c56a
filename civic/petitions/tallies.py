"""Tallies: new signature rows become the petition's count, its figures per district and per day, and threshold
moments.

- ``tally`` marks new rows as tallied (``UPDATE .. RETURNING``, so each row is added exactly once whatever runs
  concurrently) and adds them to ``petitions.signature_count`` and the per-district and per-day tables;
- the exact count is always the tally plus the not-yet-tallied rows (a small partial index): ``live_count``;
- a threshold is reached at the ``created_at`` of the N-th valid signature, recorded by a conditional UPDATE, so the
  moment is exact and the notifications go out once, whoever notices first (the counter job or a staff action).
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select, text, update

from civic import db
from civic.core import signals
from civic.db import utc_now
from civic.petitions import answer_deadline
from civic.petitions.models import Petition, PetitionDailyCount, PetitionSignature, PetitionTerritoryCount
from civic.petitions.sql import dialect_insert

ALMATY = ZoneInfo("Asia/Almaty")

#: Sent with the petition (``sender``) and ``kind`` ("response" or "hearing") when a threshold is first reached;
#: ``services`` tells the officials and the author (tallies never imports services: no import cycle).
threshold_reached = signals.threshold_reached  # civic.core.signals: councils listen too


def local_day(moment: datetime) -> date:
    return moment.astimezone(ALMATY).date()


# --- counts -------------------------------------------------------------------------------------------------------
def untallied_counts(petition_ids) -> dict[int, int]:
    """Signatures not yet tallied, per petition (they are always valid: invalidation settles rows it touches)."""
    ids = list(petition_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(PetitionSignature.petition_id, func.count())
        .where(PetitionSignature.petition_id.in_(ids), PetitionSignature.tallied_at.is_(None))
        .group_by(PetitionSignature.petition_id)
    )
    return dict(rows.all())


def live_count(petition: Petition) -> int:
    """The exact number of valid signatures now: the tally plus what was signed since."""
    return petition.signature_count + untallied_counts([petition.id]).get(petition.id, 0)


def live_count_of(petition_id: int) -> int:
    """``live_count`` in one query, by id (the signing view answers scripts with it)."""
    pending = (
        select(func.count())
        .select_from(PetitionSignature)
        .where(PetitionSignature.petition_id == petition_id, PetitionSignature.tallied_at.is_(None))
        .scalar_subquery()
    )
    return db.session.scalar(select(Petition.signature_count + pending).where(Petition.id == petition_id)) or 0


def tally(petition_id: int, now: datetime | None = None) -> int:
    """Add new signatures to the petition's tallies and record threshold crossings. Returns how many were added."""
    now = now or utc_now()
    rows = db.session.execute(
        update(PetitionSignature)
        .where(PetitionSignature.petition_id == petition_id, PetitionSignature.tallied_at.is_(None))
        .values(tallied_at=now)
        .returning(PetitionSignature.territory_id, PetitionSignature.created_at)
        .execution_options(synchronize_session=False)
    ).all()
    add_to_tallies(petition_id, [(r.territory_id, r.created_at) for r in rows], sign=1, now=now)
    record_threshold_crossings(petition_id)
    return len(rows)


def add_to_tallies(petition_id: int, rows: list[tuple[int, datetime]], sign: int, now: datetime | None = None):
    """Add (sign=1) or remove (sign=-1) signatures from the count, district and day tables, atomically in SQL."""
    values: dict = {"tallied_at": now} if now else {}
    if rows:
        values["signature_count"] = Petition.signature_count + sign * len(rows)
        _upsert_counts(PetitionTerritoryCount, "territory_id", petition_id, Counter(t for t, _at in rows), sign)
        _upsert_counts(PetitionDailyCount, "day", petition_id, Counter(local_day(at) for _t, at in rows), sign)
    if values:
        db.session.execute(
            update(Petition)
            .where(Petition.id == petition_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )


def _upsert_counts(model, key: str, petition_id: int, counts: Counter, sign: int) -> None:
    statement = dialect_insert(model).values(
        [{"petition_id": petition_id, key: value, "count": sign * n} for value, n in sorted(counts.items())]
    )
    statement = statement.on_conflict_do_update(
        index_elements=["petition_id", key], set_={"count": model.count + statement.excluded.count}
    )
    db.session.execute(statement)


def tally_pending(now: datetime | None = None) -> dict[int, int]:
    """Tally every petition that has untallied signatures (the counter job). Returns {petition id: added}."""
    ids = db.session.scalars(
        select(PetitionSignature.petition_id).where(PetitionSignature.tallied_at.is_(None)).distinct()
    ).all()
    return {petition_id: tally(petition_id, now) for petition_id in sorted(ids)}


#: Assurance levels of signers (``civic.identity.models.AssuranceLevel``): 2 IIN checksum (self-declared),
#: 3 seen in person, 4 digital signature (EDS).
LEVEL_IN_PERSON, LEVEL_EDS = 3, 4


def verified_counts(petition_ids) -> dict[int, dict[str, int]]:
    """Valid signatures per petition by how their signers were verified: ``{"eds": n, "in_person_or_eds": n}``.

    One grouped query over the partial index of verified signers (``ix_petition_signatures_verified``): its
    condition is repeated word for word so SQLite uses it, and a busy petition's checksum-level signatures are
    never read."""
    ids = list(petition_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(
            PetitionSignature.petition_id,
            func.sum(case((PetitionSignature.signer_level >= LEVEL_EDS, 1), else_=0)),
            func.count(),
        )
        .where(
            PetitionSignature.petition_id.in_(ids),
            text("signer_level >= 3 AND invalidated_at IS NULL"),
        )
        .group_by(PetitionSignature.petition_id)
    ).all()
    found = {pid: {"eds": int(eds or 0), "in_person_or_eds": int(strong or 0)} for pid, eds, strong in rows}
    return {pid: found.get(pid, {"eds": 0, "in_person_or_eds": 0}) for pid in ids}


# --- thresholds ---------------------------------------------------------------------------------------------------
def nth_signature_time(petition_id: int, n: int, min_level: int | None = None) -> datetime | None:
    """When the n-th valid signature (in signing order) was made, or None if there are fewer. With ``min_level``,
    only signatures of signers verified at least that well count (the petition's ``threshold_level``)."""
    if min_level is None:
        min_level = db.session.scalar(select(Petition.threshold_level).where(Petition.id == petition_id)) or 2
    condition = [PetitionSignature.petition_id == petition_id, PetitionSignature.invalidated_at.is_(None)]
    if min_level > 2:
        condition.append(PetitionSignature.signer_level >= min_level)
    return db.session.scalar(
        select(PetitionSignature.created_at)
        .where(*condition)
        .order_by(PetitionSignature.created_at, PetitionSignature.id)
        .offset(n - 1)
        .limit(1)
    )


def record_threshold_crossings(petition_id: int) -> list[str]:
    """Timestamp the thresholds the tallied count has reached, once each. Returns the ones recorded now."""
    p = db.session.execute(
        select(
            Petition.signature_count,
            Petition.response_threshold,
            Petition.hearing_threshold,
            Petition.response_threshold_reached_at,
            Petition.hearing_threshold_reached_at,
        ).where(Petition.id == petition_id)
    ).one()
    recorded = []
    if p.response_threshold and p.response_threshold_reached_at is None and p.signature_count >= p.response_threshold:
        at = nth_signature_time(petition_id, p.response_threshold)
        if at and _stamp(
            petition_id,
            Petition.response_threshold_reached_at,
            at,
            response_due_at=answer_deadline.response_due(at),
        ):
            recorded.append("response")
    if p.hearing_threshold and p.hearing_threshold_reached_at is None and p.signature_count >= p.hearing_threshold:
        at = nth_signature_time(petition_id, p.hearing_threshold)
        if at and _stamp(petition_id, Petition.hearing_threshold_reached_at, at):
            recorded.append("hearing")
    if recorded:
        petition = db.session.get(Petition, petition_id)
        db.session.refresh(petition)  # the stamps were written with Core UPDATEs
        for kind in recorded:
            threshold_reached.send(
                petition,
                kind=kind,
                object_type="petition",
                object_id=petition.id,
                title=petition.title,
                territory_id=petition.territory_id,
                author_id=petition.author_id,
                state_body_id=petition.state_body_id,
            )
    return recorded


def _stamp(petition_id: int, column, at: datetime, **extra) -> bool:
    """Set ``column`` only if nobody set it yet: exactly one caller wins."""
    result = db.session.execute(
        update(Petition)
        .where(Petition.id == petition_id, column.is_(None))
        .values({column.key: at, **extra})
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def recheck_thresholds(petition: Petition) -> None:
    """After invalidation: a threshold counts only if enough valid signatures remain (until the akimat answered)."""
    if petition.responded_at is not None:
        return
    for threshold, column in (
        (petition.response_threshold, Petition.response_threshold_reached_at),
        (petition.hearing_threshold, Petition.hearing_threshold_reached_at),
    ):
        if not threshold or getattr(petition, column.key) is None:
            continue
        at = nth_signature_time(petition.id, threshold)
        values = {column.key: at}
        if column is Petition.response_threshold_reached_at:
            values["response_due_at"] = answer_deadline.response_due(at, extended=petition.response_extended)
        db.session.execute(
            update(Petition)
            .where(Petition.id == petition.id)
            .values(values)
            .execution_options(synchronize_session=False)
        )
    db.session.refresh(petition)
