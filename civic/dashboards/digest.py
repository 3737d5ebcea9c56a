"""The weekly digest: each state body's head gets the body's overdue items and what changed since last week,
from the refreshed figures (``flask dashboards weekly-digest``, after a refresh). Heads may opt out on their
account page (``dashboard_digest_optouts``)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField

from civic import db
from civic.core.forms import BaseForm
from civic.core.http import public_url
from civic.core.i18n import format_day
from civic.core.mail import public_base_url, queue_mail
from civic.dashboards import models
from civic.dashboards.measures import STATE, MeasureError, all_measures
from civic.dashboards.refresh import period_starts
from civic.db import utc_now
from civic.identity.models import StateBody, User
from civic.modules import collect


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


#: How many overdue items of one kind a body's digest lists by title (the rest are counted: "and N more").
ITEMS_PER_KIND = 10


def overdue_specs() -> list[dict]:
    """Every module's ``OVERDUE_ITEMS`` (in ``indicators.py``): ``key``, ``label``, ``query(now)`` selecting
    ``body_id``, ``item_id``, ``title`` (may be NULL) and ``due``, and ``path(item_id)``; in ``MODULES`` order."""
    specs = []
    for declared in collect("indicators", "OVERDUE_ITEMS"):
        for spec in declared:
            missing = {"key", "label", "query", "path"} - set(spec)
            if missing:
                raise MeasureError(f"overdue list {spec.get('key')!r} lacks {sorted(missing)}")
            specs.append(spec)
    return specs


def overdue_items(body_ids: list[int], now: datetime, limit: int = ITEMS_PER_KIND) -> dict[int, list[dict]]:
    """Per body: for each kind of overdue item, the oldest ``limit`` items (``text``, ``path``, ``due``) and how many
    more there are. The database picks them (a window per body), whatever the number of overdue items."""
    found: dict[int, list[dict]] = defaultdict(list)
    if not body_ids:
        return found
    for spec in overdue_specs():
        q = spec["query"](now).subquery()
        ranked = (
            sa.select(
                q.c.body_id,
                q.c.item_id,
                q.c.title,
                q.c.due,
                sa.func.row_number().over(partition_by=q.c.body_id, order_by=(q.c.due, q.c.item_id)).label("rn"),
                sa.func.count().over(partition_by=q.c.body_id).label("total"),
            )
            .where(q.c.body_id.in_(body_ids))
            .subquery()
        )
        groups: dict[int, dict] = {}
        for row in db.session.execute(
            sa.select(ranked).where(ranked.c.rn <= limit).order_by(ranked.c.body_id, ranked.c.rn)
        ):
            group = groups.get(row.body_id)
            if group is None:
                group = groups[row.body_id] = {
                    "key": spec["key"],
                    "label": spec["label"],
                    "items": [],
                    "more": max(0, row.total - limit),
                }
                found[row.body_id].append(group)
            group["items"].append(
                {
                    "id": row.item_id,
                    "title": row.title or f"{spec['label']} #{row.item_id}",
                    "path": spec["path"](row.item_id),
                    "due": row.due,
                }
            )
    return found


def overdue_lines(groups: list[dict]) -> list[str]:
    """The digest's list of overdue items: per kind, each item's title, due date and link (call in the locale)."""
    base = public_base_url()
    lines = []
    for group in groups:
        lines.append(f"{group['label']}:")
        for item in group["items"]:
            due = _("due %(date)s", date=format_day(item["due"])) if item["due"] else ""
            lines.append(
                f"  - {item['title']} ({due}) {base}{item['path']}"
                if due
                else f"  - {item['title']} {base}{item['path']}"
            )
        if group["more"]:
            lines.append("  " + ngettext("and %(num)s more", "and %(num)s more", group["more"]))
    return lines


def send_weekly_digests(now: datetime | None = None) -> int:
    """Queue one mail per body head who has not opted out and whose bodies have anything to report; remember the
    states told. Call inside ``db.transaction()``."""
    now = now or utc_now()
    measures = [m for m in all_measures() if m.digest]
    if not measures and not overdue_specs():
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

    overdue = overdue_items(body_ids, now)

    by_head: dict[int, tuple[User, list]] = {}
    for body, head in heads:
        by_head.setdefault(head.id, (head, []))[1].append(body)
    sent = 0
    for head, bodies in by_head.values():
        with force_locale(head.preferred_locale):
            parts = []
            for body in bodies:
                lines = digest_lines(measures, figures[body.id], previous[body.id])
                if overdue.get(body.id):
                    lines += ["", _("Overdue items:"), *overdue_lines(overdue[body.id])]
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
