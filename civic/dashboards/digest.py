"""The weekly digest: each state body's head gets the body's overdue items and what changed since last week,
from the refreshed figures (``flask dashboards weekly-digest``, after a refresh). Heads may opt out on their
account page (``dashboard_digest_optouts``)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField

from civic import db
from civic.core.forms import BaseForm
from civic.core.http import public_url
from civic.core.mail import queue_mail
from civic.dashboards import models
from civic.dashboards.measures import STATE, all_measures
from civic.dashboards.refresh import period_starts
from civic.db import utc_now
from civic.identity.models import StateBody, User


class DigestForm(BaseForm):
    receive = BooleanField(_l("Send me the weekly digest of the state bodies I head"))


def receives(user) -> bool:
    return db.session.get(models.DigestOptOut, user.id) is None


def set_receives(user, receive: bool) -> None:
    """Record the choice (flushes; the view commits)."""
    opt_out = db.session.get(models.DigestOptOut, user.id)
    if receive and opt_out is not None:
        db.session.delete(opt_out)
    elif not receive and opt_out is None:
        db.session.add(models.DigestOptOut(user_id=user.id))
    db.session.flush()


def account_panel(user):
    """What the account page shows: the bodies the user heads and the form; None for everyone else."""
    if not getattr(user, "is_authenticated", False):
        return None
    bodies = db.session.scalars(sa.select(StateBody).where(StateBody.head_user_id == user.id)).all()
    if not bodies:
        return None
    form = DigestForm(formdata=None, receive=receives(user))
    return {"bodies": bodies, "form": form}


def _number(value: float | None) -> str:
    if value is None:
        return "0"
    return f"{value:.1f}" if not float(value).is_integer() else f"{value:.0f}"


def digest_lines(measures, figures: dict, previous: dict) -> list[str]:
    """One line per measure: its figure now (a state) or last week (a flow), and the change."""
    lines = []
    for m in measures:
        now_value = figures.get((m.key, "now" if m.kind == STATE else "last"))
        before = previous.get(m.key) if m.kind == STATE else figures.get((m.key, "before"))
        if not now_value and not before:
            continue
        line = f"- {m.label}: {_number(now_value)}"
        if before is not None and (now_value or 0) != before:
            line += " " + _("(a week ago: %(value)s)", value=_number(before))
        lines.append(line)
    return lines


def send_weekly_digests(now: datetime | None = None) -> int:
    """Queue one mail per body head who has not opted out and whose bodies have anything to report; remember the
    states told. Call inside ``db.transaction()``."""
    now = now or utc_now()
    measures = [m for m in all_measures() if m.digest]
    if not measures:
        return 0
    this_week = period_starts(now.date())[0]
    last_week, week_before = this_week - timedelta(days=7), this_week - timedelta(days=14)
    heads = db.session.execute(
        sa.select(StateBody, User)
        .join(User, User.id == StateBody.head_user_id)
        .where(
            User.deleted_at.is_(None),
            ~sa.exists().where(models.DigestOptOut.user_id == User.id),
        )
        .order_by(User.id, StateBody.id)
    ).all()
    if not heads:
        return 0
    body_ids = [body.id for body, _user in heads]
    keys = [m.key for m in measures]
    F = models.Figure
    figures: dict[int, dict] = defaultdict(dict)
    for row in db.session.execute(
        sa.select(F.body_id, F.measure_key, F.period_kind, F.period_start, F.value).where(
            F.body_id.in_(body_ids),
            F.measure_key.in_(keys),
            F.part == "",
            sa.or_(F.period_kind == models.NOW, sa.and_(F.period_kind == models.WEEK, F.period_start >= week_before)),
        )
    ):
        if row.period_kind == models.NOW:
            figures[row.body_id][(row.measure_key, "now")] = row.value
        elif row.period_start == last_week:
            figures[row.body_id][(row.measure_key, "last")] = row.value
        elif row.period_start == week_before:
            figures[row.body_id][(row.measure_key, "before")] = row.value
    previous: dict[int, dict] = defaultdict(dict)
    for value in db.session.scalars(sa.select(models.DigestValue).where(models.DigestValue.body_id.in_(body_ids))):
        previous[value.body_id][value.measure_key] = value.value

    by_head: dict[int, tuple[User, list]] = {}
    for body, head in heads:
        by_head.setdefault(head.id, (head, []))[1].append(body)
    sent = 0
    for head, bodies in by_head.values():
        with force_locale(head.preferred_locale):
            parts = []
            for body in bodies:
                lines = digest_lines(measures, figures[body.id], previous[body.id])
                if lines:
                    link = public_url("dashboards.index", t=body.territory.code)
                    parts.append(f"{body.name}\n" + "\n".join(lines) + f"\n{link}")
            if parts:
                queue_mail(
                    head.email,
                    _("Weekly digest: overdue items and changes since last week"),
                    _("Overdue items and changes since last week in the state bodies you head:")
                    + "\n\n"
                    + "\n\n".join(parts)
                    + "\n\n"
                    + _(
                        "You can stop these emails on your account page: %(link)s", link=public_url("identity.account")
                    ),
                )
                sent += 1
    for body, _head in heads:
        for m in measures:
            if m.kind != STATE:
                continue
            value = figures[body.id].get((m.key, "now"), 0.0)
            stored = db.session.get(models.DigestValue, (body.id, m.key))
            if stored is None:
                db.session.add(models.DigestValue(body_id=body.id, measure_key=m.key, value=value, sent_at=now))
            else:
                stored.value, stored.sent_at = value, now
    db.session.flush()
    return sent
