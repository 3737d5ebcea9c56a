"""`flask jobs ...` (the background worker) and `flask ops ...` (backups)."""

from __future__ import annotations

import subprocess  # nosec B404
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from civic import db
from civic.core import jobs
from civic.ops import backup

jobs_cli = AppGroup("jobs", help="Background jobs (RQ on Redis when REDIS_URL is set).")


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty (tests, cron).")
@click.option("--no-scheduler", is_flag=True, help="Do not run RQ's scheduler (delayed retries) in this worker.")
def worker(burst: bool, no_scheduler: bool) -> None:
    """Run queued jobs (mail, bulk notifications) until stopped; retries come back through RQ's scheduler."""
    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException("REDIS_URL is not set: jobs run in-process after each commit; no worker is needed.")
    jobs.run_worker(current_app._get_current_object(), burst=burst, with_scheduler=not no_scheduler)


@jobs_cli.command("failed")
def failed() -> None:
    """List failed jobs (the dead-letter list also shown at /admin/jobs)."""
    app = current_app._get_current_object()
    items = jobs.failed_jobs(app)
    for job in items:
        click.echo(f"{job.id}  {job.description}  {job.ended_at}")
    click.echo(f"{len(items)} failed jobs.")


ops_cli = AppGroup("ops", help="Backups, restores and consistency checks.")


@ops_cli.command("backup")
@click.option(
    "--to",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the backup file (default: instance/backups).",
)
@click.option("--keep", type=int, default=0, help="Keep only the newest N backups in the folder (0: keep all).")
def backup_command(folder: Path | None, keep: int) -> None:
    """Back up the database (SQLite online backup API, or pg_dump) into one file; prints its path."""
    folder = folder or Path(current_app.instance_path) / "backups"
    try:
        path = backup.backup(current_app.config["DATABASE_URL"], folder)
    except (backup.BackupError, subprocess.CalledProcessError) as exc:
        raise click.ClickException(str(getattr(exc, "stderr", None) or exc)) from exc
    click.echo(str(path))
    for old in backup.prune(folder, keep):
        click.echo(f"removed {old}")


@ops_cli.command("restore")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask: the database's current contents are replaced.")
def restore_command(source: Path, yes: bool) -> None:
    """Replace the database with a backup (stop the web and job processes first), then check its invariants."""
    if not yes:
        click.confirm(
            f"Replace every row of {current_app.config['DATABASE_URL'].split('@')[-1]} with {source}?", abort=True
        )
    db.session.remove()
    current_app.extensions["civic_engine"].dispose()  # no pooled connection may hold the old database open
    try:
        backup.restore(current_app.config["DATABASE_URL"], source)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    current_app.extensions["civic_engine"].dispose()
    click.echo(f"restored {source}")
    _report(backup.check_invariants(db.session))


@ops_cli.command("check")
def check_command() -> None:
    """Check the database's invariants: no orphan rows, counters equal their rows."""
    _report(backup.check_invariants(db.session))


def _report(problems: list[str]) -> None:
    db.session.rollback()
    for problem in problems:
        click.echo(f"problem: {problem}")
    if problems:
        raise click.ClickException(f"{len(problems)} invariant(s) broken")
    click.echo("invariants hold: no orphan rows, counters equal their rows")


COMMANDS = (jobs_cli, ops_cli)
