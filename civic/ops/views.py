"""The failed-jobs screen: jobs that failed after every retry, with their error; retry or delete each."""

from __future__ import annotations

from datetime import UTC

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from civic import db
from civic.core import jobs
from civic.core.forms import EmptyForm
from civic.identity.audit import record
from civic.identity.permissions import require_permission
from civic.ops.permissions import MANAGE_JOBS

bp = Blueprint("ops", __name__, url_prefix="/admin/jobs")
BLUEPRINTS = (bp,)
#: (endpoint, label, permission): the administration menu.
ADMIN_LINKS = (("ops.failed_jobs", _l("Failed background jobs"), MANAGE_JOBS),)


def _summary(job) -> dict:
    exc = job.latest_result().exc_string if job.latest_result() else (job.exc_info or "")
    last_line = [line for line in (exc or "").strip().splitlines() if line.strip()][-1:] or [""]
    return {
        "id": job.id,
        "func": job.description or "",
        "args": ", ".join(repr(arg) for arg in job.args[1:]) if job.args else "",
        "ended_at": _aware(job.ended_at),
        "error": last_line[0][:300],
    }


def _aware(moment):
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


@bp.get("/")
@require_permission(MANAGE_JOBS)
def failed_jobs():
    """List the jobs that failed after their retries (none when jobs run in-process)."""
    app = current_app._get_current_object()
    on_queue = jobs.runs_on_queue()
    items = [_summary(job) for job in jobs.failed_jobs(app)] if on_queue else []
    return render_template("ops/failed_jobs.html", items=items, on_queue=on_queue, form=EmptyForm())


def _act(job_id: str, action: str):
    if not EmptyForm().validate_on_submit():
        abort(400)
    app = current_app._get_current_object()
    done = jobs.retry_failed(app, job_id) if action == "retry" else jobs.delete_failed(app, job_id)
    if not done:
        abort(404)
    record(f"ops.job_{action}", actor=current_user, object_type="job", object_id=job_id)
    db.session.commit()
    flash(_("The job was queued again.") if action == "retry" else _("The job was deleted."), "success")
    return redirect(url_for("ops.failed_jobs"), 303)


@bp.post("/<job_id>/retry")
@require_permission(MANAGE_JOBS)
def retry(job_id: str):
    return _act(job_id, "retry")


@bp.post("/<job_id>/delete")
@require_permission(MANAGE_JOBS)
def delete(job_id: str):
    return _act(job_id, "delete")
