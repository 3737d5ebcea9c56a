"""Retention: removing personal data from old closed cases (and from an erased account's cases) while keeping
what the statistics need: category, territory, channel, dates, states, outcomes, deadlines and verdicts."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, event, insert, literal, select, update

from civic import db
from civic.bureau import clock, storage
from civic.bureau.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseState,
    EventKind,
    Outcome,
    Referral,
    ReferralAnswer,
    SlaState,
    Visibility,
)
from civic.bureau.models.enums import ACTIVE_REFERRAL_STATES, ReferralState
from civic.core import signals
from civic.core.errors import DomainError
from civic.identity import audit

C, E, R, A, F = (
    Case.__table__,
    CaseEvent.__table__,
    Referral.__table__,
    ReferralAnswer.__table__,
    Attachment.__table__,
)
CHUNK = 500
_AGE = re.compile(r"^\s*(\d+)\s*([ymwd])\s*$")


def parse_age(text: str) -> timedelta:
    """ "3y", "36m", "8w" or "1095d" as a duration (a year is 365 days, a month 30)."""
    match = _AGE.match(text or "")
    if not match:
        raise DomainError(_l("Give an age like 3y, 36m, 8w or 1095d."))
    number, unit = int(match.group(1)), match.group(2)
    return timedelta(days=number * {"y": 365, "m": 30, "w": 7, "d": 1}[unit])


def anonymise_closed(
    older_than: timedelta,
    transaction: Callable[[], AbstractContextManager] = db.transaction,
    now: datetime | None = None,
    actor=None,
) -> int:
    """Scrub closed cases closed longer than ``older_than`` ago, in chunks, each a ``with transaction():`` block."""
    now = now or clock.now()
    cutoff = now - older_than
    total = 0
    while True:
        with transaction():
            ids = list(
                db.session.scalars(
                    select(C.c.id)
                    .where(C.c.state == CaseState.CLOSED, C.c.closed_at < cutoff, C.c.anonymised_at.is_(None))
                    .order_by(C.c.id)
                    .limit(CHUNK)
                )
            )
            if ids:
                anonymise_cases(ids, now)
        if not ids:
            break
        total += len(ids)
    with transaction():
        audit.record(
            "bureau.anonymise",
            actor=actor,
            object_type="bureau_cases",
            after={"cases": total, "older_than_days": older_than.days},
        )
    return total


def anonymise_cases(ids: list[int], now: datetime) -> None:
    """Remove the personal data of these cases (set-based); files are deleted after the commit."""
    db.session.flush()
    stored = list(db.session.scalars(select(F.c.stored_name).where(F.c.case_id.in_(ids))))
    db.session.execute(delete(F).where(F.c.case_id.in_(ids)))
    db.session.execute(
        update(E).where(E.c.case_id.in_(ids)).values(body="").execution_options(synchronize_session=False)
    )
    referral_ids = select(R.c.id).where(R.c.case_id.in_(ids))
    db.session.execute(
        update(A)
        .where(A.c.referral_id.in_(referral_ids))
        .values(text="", verdict_reason=None)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(R)
        .where(R.c.case_id.in_(ids))
        .values(summary="", extension_note=None)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(C)
        .where(C.c.id.in_(ids))
        .values(
            description="",
            client_id=None,
            client_name=None,
            client_phone=None,
            client_email=None,
            follow_up_comment=None,
            anonymised_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        insert(E).from_select(
            ["case_id", "at", "kind", "visibility", "body"],
            select(
                C.c.id,
                literal(now, E.c.at.type),
                literal(EventKind.ANONYMISED),
                literal(Visibility.INTERNAL),
                literal(""),
            ).where(C.c.id.in_(ids)),
        )
    )
    _expire_loaded(ids)
    db.session.info.setdefault("bureau_files_to_delete", []).extend(stored)
    _install_delete_hook()


def withdraw_for_erased_client(user) -> None:
    """An erased account: close its open cases (withdrawn), withdraw open referrals, and scrub every case."""
    now = clock.now()
    ids = list(db.session.scalars(select(C.c.id).where(C.c.client_id == user.id)))
    if not ids:
        return
    open_ids = list(
        db.session.scalars(
            select(C.c.id).where(C.c.id.in_(ids), C.c.state.not_in([CaseState.RESOLVED, CaseState.CLOSED]))
        )
    )
    db.session.execute(
        update(R)
        .where(R.c.case_id.in_(ids), R.c.state.in_(ACTIVE_REFERRAL_STATES))
        .values(state=ReferralState.WITHDRAWN, sla_state=SlaState.CLOSED, notify_pending=0)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(C)
        .where(C.c.id.in_(ids), C.c.state != CaseState.CLOSED)
        .values(state=CaseState.CLOSED, closed_at=now, state_changed_at=now)
        .execution_options(synchronize_session=False)
    )
    if open_ids:
        db.session.execute(
            update(C)
            .where(C.c.id.in_(open_ids))
            .values(outcome=Outcome.WITHDRAWN)
            .execution_options(synchronize_session=False)
        )
    anonymise_cases(ids, now)


def _expire_loaded(case_ids: list[int]) -> None:
    """Forget loaded copies of the rows the bulk statements changed (other pending work is left alone)."""
    wanted = set(case_ids)
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Case) and obj.id in wanted or getattr(obj, "case_id", None) in wanted:
            db.session.expire(obj)


@signals.user_deleted.connect
def _on_user_deleted(sender, **_extra) -> None:
    withdraw_for_erased_client(sender)


_hook_installed = False


def _install_delete_hook() -> None:
    global _hook_installed
    if _hook_installed:
        return

    @event.listens_for(db.session, "after_commit")
    def _delete_files(sess):
        for name in sess.info.pop("bureau_files_to_delete", []):
            storage.delete(name)

    @event.listens_for(db.session, "after_rollback")
    def _keep_files(sess):
        sess.info.pop("bureau_files_to_delete", None)

    _hook_installed = True
