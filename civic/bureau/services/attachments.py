"""Adding files to a case (the client, a consultant, or a state body with its answer)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from civic import db
from civic.bureau import storage
from civic.bureau.models import Attachment, Case, EventKind, Visibility
from civic.bureau.services.common import record_event


def add_attachment(case: Case, upload, actor, *, referral=None, shared_with_body: bool = False) -> Attachment:
    """Check and store one file, and note it on the timeline."""
    stored = storage.store(upload)
    attachment = Attachment(
        case_id=case.id,
        referral_id=getattr(referral, "id", None),
        uploaded_by_id=getattr(actor, "id", None),
        original_name=stored.original_name,
        stored_name=stored.stored_name,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        shared_with_body=shared_with_body or referral is not None,
    )
    db.session.add(attachment)
    db.session.flush()
    visibility = Visibility.BODY if attachment.shared_with_body else Visibility.CLIENT
    record_event(
        case,
        EventKind.ATTACHMENT,
        visibility,
        actor,
        attachment.original_name,
        referral=referral,
        data={"attachment_id": attachment.id},
    )
    return attachment


def check_count(uploads, limit: int = storage.MAX_FILES_PER_UPLOAD) -> list:
    """The non-empty uploads of a form, refusing more than ``limit`` at once."""

    files = [u for u in uploads or () if u and getattr(u, "filename", "")]
    if len(files) > limit:
        raise storage.UploadRejected(_l("Attach at most %(n)s files at once.", n=limit), field="attachments")
    return files
