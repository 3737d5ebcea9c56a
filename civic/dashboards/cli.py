"""``flask dashboards ...``: the jobs cron runs (the pages only read what they write)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from civic import db
from civic.dashboards import digest, refresh

dashboards_cli = AppGroup("dashboards", help="Dashboard jobs for cron.")
COMMANDS = (dashboards_cli,)


@dashboards_cli.command("refresh")
def refresh_command() -> None:
    """Recompute every figure of the dashboards and the accountability page (run every 15 minutes)."""
    with db.transaction():
        log = refresh.refresh()
        line = f"{log.figures} figures in {log.seconds:.2f} s"
        failed = log.failed
    click.echo(line)
    if failed:
        click.echo(f"failed: {failed}", err=True)
        raise SystemExit(1)


@dashboards_cli.command("weekly-digest")
def weekly_digest_command() -> None:
    """Mail each state body's head its overdue items and the changes since last week (run on Monday mornings)."""
    with db.transaction():
        sent = digest.send_weekly_digests()
    click.echo(f"{sent} digests sent.")
