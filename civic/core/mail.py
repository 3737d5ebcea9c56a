"""Outgoing email: SMTP when MAIL_SERVER is set, otherwise .eml files in the outbox folder a person can read."""

from __future__ import annotations

import logging
import secrets
import smtplib
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from flask import current_app, has_request_context, request

log = logging.getLogger(__name__)


def public_base_url() -> str:
    """The scheme, host and port that links in mail start with (no trailing slash).

    PUBLIC_BASE_URL when it is set; when it is not, the address the current request was served on (so a server
    started on another port or host sends links that work), and outside a request the configured default."""
    config = current_app.config
    if config.get("PUBLIC_BASE_URL_FROM_REQUEST") and has_request_context():
        return request.host_url.rstrip("/")
    return (config.get("PUBLIC_BASE_URL") or "").rstrip("/")


def send_mail(to: str, subject: str, body: str) -> None:
    """Send one plain-text message."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    if config.get("MAIL_SERVER"):
        _send_smtp(message, config)
    else:
        _write_outbox(message, Path(config["MAIL_OUTBOX"]))


def _send_smtp(message: EmailMessage, config) -> None:
    with smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=20) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(message)


def _write_outbox(message: EmailMessage, outbox: Path) -> Path:
    outbox.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    path = outbox / f"{stamp}-{secrets.token_hex(4)}.eml"
    path.write_bytes(bytes(message))
    log.info("mail written to %s", path)
    return path


def queue_mail(to: str, subject: str, body: str) -> None:
    """Send when the current transaction commits; drop if it rolls back (no mail about unsaved changes).

    The sending is a job (civic.core.jobs): a worker sends it, with retries, when Redis is configured; otherwise it
    is sent in-process right after the commit."""
    from civic.core import jobs

    jobs.enqueue("civic.core.mail:send_mail", to, subject, body)


def install_session_hooks(session_factory) -> None:
    """Hand queued jobs (mail among them) over after commit (civic.core.jobs)."""
    from civic.core import jobs

    jobs.install_session_hooks(session_factory)
