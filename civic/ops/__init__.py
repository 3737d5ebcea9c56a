"""Operations: the failed-jobs (dead-letter) screen for administrators, `flask jobs worker`, `flask ops backup/restore`.

The job queue itself is ``civic.core.jobs`` (every module enqueues through it); this module only operates it."""
