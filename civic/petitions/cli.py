"""``flask petitions ...``: the jobs cron runs (closing expired petitions, tallying signatures, response news,
trending-source alerts, erasing old IP addresses)."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup
from sqlalchemy import select

from civic import db
from civic.petitions import alerts, retention, services, signing, tallies
from civic.petitions.models import Petition

petitions_cli = AppGroup("petitions", help="Petition jobs for cron.")
COMMANDS = (petitions_cli,)


@petitions_cli.command("close-expired")
def close_expired() -> None:
    """Close open petitions whose signing window has ended (run every few minutes)."""
    with db.transaction():
        closed = services.close_expired()
    click.echo(f"{len(closed)} petitions closed.")


def _update_counts() -> tuple[int, int]:
    added = 0
    for petition_id in db.session.scalars(
        select(signing.PetitionSignature.petition_id).where(signing.PetitionSignature.tallied_at.is_(None)).distinct()
    ).all():
        with db.transaction():  # one short transaction per petition: signers never wait long for the SQLite lock
            added += tallies.tally(petition_id)
    told = 0
    pending = select(Petition.id).where(Petition.responded_at.is_not(None), Petition.response_notified_at.is_(None))
    for petition_id in db.session.scalars(pending).all():
        with db.transaction():
            petition = db.session.get(Petition, petition_id)
            if petition.response_notified_at is None:  # another run may have told them meanwhile
                told += services.notify_signers_of_response(petition)
    return added, told


@petitions_cli.command("update-counts")
@click.option("--every", type=float, default=0, help="Repeat every N seconds until interrupted (0: run once).")
def update_counts(every: float) -> None:
    """Tally new signatures (counts, districts, days, thresholds) and send response news to signers."""
    while True:
        added, told = _update_counts()
        click.echo(f"{added} signatures tallied, {told} signers told about responses.")
        if every <= 0:
            return
        db.session.remove()
        time.sleep(every)


@petitions_cli.command("trending-alerts")
def trending_alerts() -> None:
    """Tell moderators when one address range or email domain dominates a petition's recent signatures."""
    with db.transaction():
        sent = alerts.send_alerts()
    click.echo(f"{len(sent)} trending-source alerts sent.")


@petitions_cli.command("purge-ips")
def purge_ips() -> None:
    """Erase signers' IP addresses on petitions closed longer than PETITIONS_IP_RETENTION_DAYS (run daily)."""
    with db.transaction():
        petitions, signatures = retention.purge_ips()
    click.echo(f"IP addresses erased from {signatures} signatures on {petitions} petitions.")
