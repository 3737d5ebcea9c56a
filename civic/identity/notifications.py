"""Notifications: an in-app centre, plus email immediately or in a daily digest, as each user chose."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update

from civic import db
from civic.core.http import public_url
from civic.core.mail import public_base_url, queue_mail
from civic.db import utc_now
from civic.identity.models import Notification, NotificationMode, User


def notify(user: User, kind: str, title, body="", link: str | None = None) -> Notification | None:
    """Notify ``user``. ``title``/``body`` may be lazy strings or callables: they are rendered in the user's language."""
    if user.is_deleted:
        return None
    with force_locale(user.preferred_locale):
        title_text = str(title() if callable(title) else title)
        body_text = str(body() if callable(body) else body)
        note = Notification(user_id=user.id, kind=kind, title=title_text, body=body_text, link=link)
        db.session.add(note)
        db.session.flush()
        if user.notification_mode == NotificationMode.IMMEDIATE:
            queue_mail(user.email, title_text, _compose([note]))
            note.emailed_at = utc_now()
    return note


def _compose(notes: list[Notification]) -> str:
    base = public_base_url()
    parts = []
    for note in notes:
        lines = [note.title]
        if note.body:
            lines.append(note.body)
        if note.link:
            lines.append(base + note.link)
        parts.append("\n".join(lines))
    footer = _("Change how you receive notifications: %(url)s", url=public_url("identity.notifications"))
    return "\n\n".join([*parts, footer])


def send_digests(now: datetime | None = None) -> int:
    """Email every digest-mode user their not-yet-emailed notifications in one message. Returns messages sent."""
    now = now or utc_now()
    rows = db.session.execute(
        select(Notification, User)
        .join(User, User.id == Notification.user_id)
        .where(
            Notification.emailed_at.is_(None),
            User.notification_mode == NotificationMode.DIGEST,
            User.deleted_at.is_(None),
        )
        .order_by(Notification.user_id, Notification.id)
    ).all()
    by_user: dict[int, tuple[User, list[Notification]]] = defaultdict(lambda: (None, []))
    for note, user in rows:
        by_user[user.id] = (user, [*by_user[user.id][1], note])
    for user, notes in by_user.values():
        with force_locale(user.preferred_locale):
            subject = _("Civic: %(count)s new notifications", count=len(notes))
            queue_mail(user.email, subject, _compose(notes))
        for note in notes:
            note.emailed_at = now
    db.session.flush()
    return len(by_user)


def unread_count(user: User) -> int:
    from sqlalchemy import func

    return (
        db.session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        )
        or 0
    )


def mark_all_read(user: User) -> None:
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utc_now())
    )
