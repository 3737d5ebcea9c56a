"""``flask bureau ...``: the deadline sweep, follow-ups, retention, supervisors. All are cron-friendly and
idempotent; they print what they did."""

from __future__ import annotations

from datetime import datetime

import click
from flask import current_app
from flask.cli import AppGroup

from civic import db
from civic.bureau import clock
from civic.bureau.services import admin, followups, retention, sweep
from civic.core.errors import DomainError
from civic.identity.directory import territory_by_code
from civic.identity.services import find_user_by_email

bureau_cli = AppGroup("bureau", help="Citizen advice bureau: deadlines, follow-ups, retention.")


def _now(value: str | None) -> datetime:
    if not value:
        return clock.now()
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise click.BadParameter("give a time zone, e.g. 2026-03-01T09:00:00+05:00", param_hint="--now")
    return parsed


def _in_request(func):
    """Run with a request context on the public base URL, so that links in notifications are absolute-safe."""
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_BASE_URL"]):
        return func()


@bureau_cli.command("sweep")
@click.option("--full", is_flag=True, help="Recompute every running deadline (backlog), in short chunks.")
@click.option("--chunk", default=sweep.DEFAULT_CHUNK, show_default=True, help="Referrals per chunk with --full.")
@click.option("--now", "now_text", default=None, help="Pretend it is this instant (ISO 8601 with offset).")
def sweep_command(full: bool, chunk: int, now_text: str | None) -> None:
    """Mark referrals due soon / overdue and notify once (incremental unless --full)."""
    now = _now(now_text)

    def run():  # each batch or chunk is a ``with db.transaction():`` block of its own
        if full:
            return sweep.sweep_full(db.transaction, now=now, chunk_size=chunk)
        return sweep.sweep_batches(db.transaction, now=now)

    result = _in_request(run)
    click.echo(
        f"sweep: {result.changed} changed, {result.due_soon} due soon, {result.overdue} overdue, "
        f"{result.notifications} notifications, {result.chunks} transactions, longest "
        f"{result.max_chunk_ms:.1f} ms"
    )


@bureau_cli.command("follow-ups")
@click.option("--now", "now_text", default=None, help="Pretend it is this instant (ISO 8601 with offset).")
def follow_ups_command(now_text: str | None) -> None:
    """Send the 4-week "was your problem solved?" follow-ups and close cases past the reopening window."""
    now = _now(now_text)

    def run():
        with db.transaction():
            asked, skipped = followups.send_follow_ups(now)
            closed = followups.close_after_reopen_window(now)
        return asked, skipped, closed

    asked, skipped, closed = _in_request(run)
    click.echo(f"follow-ups: {asked} asked, {skipped} skipped (no valid consent), {closed} cases closed")


@bureau_cli.command("anonymise")
@click.option("--older-than", "older_than", required=True, help="Age since closing, e.g. 3y, 36m or 1095d.")
@click.option("--now", "now_text", default=None, help="Pretend it is this instant (ISO 8601 with offset).")
def anonymise_command(older_than: str, now_text: str | None) -> None:
    """Remove personal data from cases closed longer ago than --older-than (statistics are kept)."""
    try:
        age = retention.parse_age(older_than)
    except DomainError as exc:
        raise click.BadParameter(str(exc), param_hint="--older-than") from exc
    count = retention.anonymise_closed(age, db.transaction, now=_now(now_text))
    click.echo(f"anonymise: {count} cases anonymised")


@bureau_cli.command("grant-supervisor")
@click.argument("email")
@click.option("--territory", "territory_code", default=None, help="Territory code, e.g. KZ-ALA (default: everywhere).")
def grant_supervisor_command(email: str, territory_code: str | None) -> None:
    """Make a user a bureau supervisor (the module role bureau_supervisor), audited."""
    user = find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"no account with the email {email}")
    territory = territory_by_code(territory_code) if territory_code else None
    if territory_code and territory is None:
        raise click.ClickException(f"unknown territory {territory_code}")
    try:
        with db.transaction():
            admin.grant_supervisor(user, territory)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{email} now supervises the bureau in {territory_code or 'every territory'}")


COMMANDS = (bureau_cli,)
