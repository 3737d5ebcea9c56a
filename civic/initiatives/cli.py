"""``flask initiatives ...``: loading the catalogue of the seed's 45 cases, and refreshing roll-ups."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from civic import db
from civic.initiatives import services, values
from civic.initiatives.models import Indicator

initiatives_cli = AppGroup("initiatives", help="Initiatives: templates and roll-ups.")
COMMANDS = (initiatives_cli,)


@initiatives_cli.command("load-templates")
def load_templates() -> None:
    """Create or update the 45 typical cases (idempotent: a second run changes nothing)."""
    with db.transaction():
        created, updated = services.load_templates()
    click.echo(f"templates: {created} created, {updated} updated")


@initiatives_cli.command("refresh-rollups")
def refresh_rollups() -> None:
    """Recompute every indicator's roll-up (uploads and forms refresh their own; this repairs after bulk loads)."""
    with db.transaction():
        ids = list(db.session.scalars(select(Indicator.id)))
        values.refresh_rollup(ids)
    click.echo(f"{len(ids)} indicators rolled up")
