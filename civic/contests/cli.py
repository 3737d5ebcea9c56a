"""``flask contests ...``: the job cron runs (moving contests into their next phase at its time)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from civic import db
from civic.contests import services

contests_cli = AppGroup("contests", help="Idea contest jobs for cron.")
COMMANDS = (contests_cli,)


@contests_cli.command("advance-phases")
def advance_phases() -> None:
    """Announce the phases that began since the last run (run every few minutes).

    Pages compute a contest's phase from its dates when they read it; this job records the change and tells the
    people it concerns (authors when voting opens, judges when the jury phase begins, the organiser when results
    are due)."""
    with db.transaction():
        changed = services.announce_due_phases()
        lines = [f"contest {c.id}: {c.announced_phase}" for c in changed]
    for line in lines:
        click.echo(line)
    click.echo(f"{len(changed)} contests changed phase.")
