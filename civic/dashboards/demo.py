"""Demo data for the dashboards: the demo officials head their state bodies (so the weekly digest has readers),
then the figures are refreshed. Runs last (``civic.modules.MODULES``), after every module's own demo data."""

from __future__ import annotations

import sqlalchemy as sa

from civic import db
from civic.dashboards import refresh
from civic.identity.models import StateBody, UserRole


def seed_demo(context) -> None:
    officials = db.session.execute(
        sa.select(UserRole.user_id, UserRole.state_body_id)
        .where(UserRole.role_name == "official", UserRole.state_body_id.is_not(None))
        .order_by(UserRole.id)
    ).all()
    heads = 0
    for user_id, body_id in officials:
        body = db.session.get(StateBody, body_id)
        if body is not None and body.head_user_id is None:
            body.head_user_id = user_id
            heads += 1
    db.session.flush()
    log = refresh.refresh()
    context.echo(f"  dashboards: {heads} body heads, {log.figures} figures refreshed in {log.seconds:.1f} s")
    if log.failed:
        context.echo(f"  dashboards: failed measures: {log.failed}")
