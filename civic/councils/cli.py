"""``flask councils ...``: the jobs cron runs (ending seats at their term's end; telling bodies about overdue
answers)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from civic import db
from civic.councils import services

councils_cli = AppGroup("councils", help="Public council jobs for cron.")
COMMANDS = (councils_cli,)


@councils_cli.command("end-terms")
def end_terms() -> None:
    """Close the seats whose term ended (the council_member role follows). Run daily."""
    with db.transaction():
        count = services.end_expired_terms()
    click.echo(f"{count} seats ended at their term's end.")


@councils_cli.command("notify-overdue")
def notify_overdue() -> None:
    """Tell each body's head and answering officials about recommendations whose answer became overdue. Run hourly."""
    with db.transaction():
        count = services.notify_overdue()
    click.echo(f"{count} overdue recommendations notified.")
