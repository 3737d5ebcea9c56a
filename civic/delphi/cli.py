"""``flask delphi ...``: the scheduled jobs — close rounds at their deadline, remind non-responders, shred keys."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from civic import db
from civic.delphi import services

delphi_cli = AppGroup("delphi", help="Delphi studies: scheduled jobs.")


@delphi_cli.command("close-due-rounds")
def close_due_rounds() -> None:
    """Close every open round whose deadline has passed and store its report (run every few minutes).

    Pages never close rounds: until this runs, a round past its deadline refuses answers and shows as closing.
    """
    with db.transaction():
        closed = services.close_due_rounds()
    for rnd in closed:
        click.echo(
            f"closed round {rnd.number} of study {rnd.study_id} ({rnd.responded_count}/{rnd.invited_count} answered)"
        )
    click.echo(f"{len(closed)} rounds closed")


#: The command's earlier name, kept for existing crontabs.
delphi_cli.add_command(
    click.Command("close-due", callback=close_due_rounds.callback, help="Old name of close-due-rounds.", hidden=True)
)


@delphi_cli.command("remind")
@click.option(
    "--hours-before", default=48, show_default=True, help="Remind when a round closes within this many hours."
)
def remind(hours_before: int) -> None:
    """Remind panelists who have not submitted a round that closes soon (at most once a day per round)."""
    count = services.remind_due(hours_before=hours_before)
    db.session.commit()
    click.echo(f"{count} reminders sent")


@delphi_cli.command("shred-keys")
@click.option(
    "--retention-days",
    default=90,
    show_default=True,
    help="Destroy the anonymity key of studies finished more than this many days ago.",
)
def shred_keys(retention_days: int) -> None:
    """Crypto-shred the pseudonym keys of finished studies after the retention period."""
    count = services.shred_expired_keys(retention_days)
    db.session.commit()
    click.echo(f"{count} keys destroyed")


COMMANDS = (delphi_cli,)


@delphi_cli.command("repseudonymise")
def repseudonymise() -> None:
    """Move rounds opened before per-round pseudonyms (one pseudonym per study) to a fresh pseudonym per round.

    Run once after upgrading past migration platform_0003, with the same keys as before (DELPHI_PSEUDONYM_KEY, or
    SECRET_KEY if it was not set: it is read as DELPHI_PSEUDONYM_KEY_LEGACY).
    """
    from sqlalchemy import select

    from civic.delphi import pseudonyms
    from civic.delphi.models import DelphiStudy

    with db.transaction():
        moved = sum(pseudonyms.repseudonymise(study) for study in db.session.scalars(select(DelphiStudy)))
    click.echo(f"{moved} rounds moved to per-round pseudonyms")
