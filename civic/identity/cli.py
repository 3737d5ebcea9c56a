"""``flask identity ...``: administrators, role grants, reference data and notification digests."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from civic import db
from civic.identity import directory, notifications, services
from civic.identity.permissions import sync_roles

identity_cli = AppGroup("identity", help="Accounts, roles and the territorial directory.")
COMMANDS = (identity_cli,)


@identity_cli.command("create-admin")
@click.option("--email", required=True)
@click.option(
    "--password",
    envvar="CIVIC_ADMIN_PASSWORD",
    required=True,
    help="Or set CIVIC_ADMIN_PASSWORD (keeps it out of the shell history).",
)
def create_admin(email: str, password: str) -> None:
    """Create a verified administrator, or give an existing account the admin role."""
    if len(password) < 8:
        raise click.BadParameter("at least 8 characters", param_hint="--password")
    sync_roles()
    user = services.create_admin(email, password)
    db.session.commit()
    click.echo(f"Administrator ready: {user.email}")


@identity_cli.command("sync-roles")
def sync_roles_command() -> None:
    """Write every module's default role grants into the database."""
    count = sync_roles()
    db.session.commit()
    click.echo(f"{count} role grants in place.")


@identity_cli.command("load-reference")
def load_reference() -> None:
    """Load territories, categories and state bodies (idempotent)."""
    added = directory.load_reference_data()
    db.session.commit()
    click.echo(", ".join(f"{n} {k} added" for k, n in added.items()))


@identity_cli.command("send-digests")
def send_digests() -> None:
    """Email daily digests to users who chose them (run once a day from cron)."""
    sent = notifications.send_digests()
    db.session.commit()
    click.echo(f"{sent} digests sent.")
