"""Operations permissions: only administrators (who hold every permission) see the failed jobs by default."""

from flask_babel import lazy_gettext as _l

MANAGE_JOBS = "ops.manage_jobs"

PERMISSIONS = {MANAGE_JOBS: _l("See failed background jobs and retry or delete them")}
DEFAULTS: dict[str, set[str]] = {}
