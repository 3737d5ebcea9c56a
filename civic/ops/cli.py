"""`flask jobs ...` (the background worker) and `flask ops ...` (backups)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from civic.core import jobs

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


COMMANDS = (jobs_cli,)
