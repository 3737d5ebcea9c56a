"""The client's side: opening a case, my cases, the case page, messages, consents, reopening, follow-up, files."""

from __future__ import annotations

import json

from flask import Response, abort, render_template, send_file
from flask_babel import gettext as _
from flask_login import current_user, login_required

from civic import db
from civic.bureau import clock, forms, queries, storage
from civic.bureau.models import Attachment, Case, Channel, Consent
from civic.bureau.permissions import can_view_case, can_view_referral, can_work_on, is_client
from civic.bureau.services import cases as case_services
from civic.bureau.services import followups, work
from civic.bureau.services.attachments import check_count
from civic.bureau.views import bp
from civic.bureau.views.common import (
    case_url,
    category_choices,
    done,
    form_errors_status,
    load,
    refused_status,
    territory_select,
)
from civic.bureau.views.page import render_case
from civic.core.errors import DomainError
from civic.core.forms import EmptyForm
from civic.core.http import form_page
from civic.core.i18n import current_language
from civic.extensions import limiter
from civic.identity import audit
from civic.identity.models import Category, Territory


def _case_form(form_class=forms.CaseForm):
    form = form_class()
    form.category.choices, form.territory.choices = category_choices(), territory_select()
    if not form.is_submitted():
        form.preferred_language.data = current_language()
        home = getattr(current_user, "home_territory_id", None)
        form.territory.data = home
    return form


@bp.route("/cases/new", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per hour", methods=["POST"], key_func=lambda: f"bureau-new-{getattr(current_user, 'id', None)}")
def new_case():
    """Open a case online: the problem, documents, language, contact and the three consents."""
    form = _case_form()
    if form.validate_on_submit():
        try:
            case = case_services.open_case(
                actor=current_user,
                client=current_user,
                channel=Channel.ONLINE,
                category=db.session.get(Category, form.category.data),
                territory=db.session.get(Territory, form.territory.data),
                description=form.description.data,
                preferred_language=form.preferred_language.data,
                contact_channel=form.contact_channel.data,
                consents=form.consents(),
                client_phone=form.client_phone.data,
                uploads=check_count(form.attachments.data),
            )
        except DomainError as exc:
            db.session.rollback()
            form.add_domain_error(exc)
        else:
            return done(
                _("Your case %(number)s was registered. We sent you a confirmation.", number=case.number),
                case_url(case),
            )
    return form_page("bureau/new_case.html", form)


@bp.get("/my")
@login_required
def my_cases():
    """List the cases I opened or that the bureau recorded for me."""
    return render_template("bureau/my_cases.html", rows=queries.client_cases(current_user))


@bp.get("/cases/<int:case_id>")
@login_required
def case_detail(case_id: int):
    """Show a case: its timeline and what can be done next (client view or staff workspace)."""
    return render_case(load(Case, case_id, can_view_case))


@bp.post("/cases/<int:case_id>/messages")
@login_required
@limiter.limit("30 per hour", key_func=lambda: f"bureau-msg-{getattr(current_user, 'id', None)}")
def post_message(case_id: int):
    """Send a message in the case (client to bureau, or consultant to client), with optional documents."""
    case = load(Case, case_id, can_view_case)
    form = forms.MessageForm()
    if not form.validate_on_submit():
        return render_case(case, form_errors_status(form), message_form=form)
    try:
        uploads = check_count(form.attachments.data)
        if is_client(current_user, case):
            work.message_from_client(case, current_user, form.message.data, uploads)
        else:
            work.message_from_staff(case, current_user, form.message.data, uploads)
    except DomainError as exc:
        form.add_domain_error(exc)
        return render_case(case, refused_status(exc), message_form=form)
    return done(_("Your message was sent."), case_url(case, "timeline"))


@bp.post("/cases/<int:case_id>/consents")
@login_required
def update_consents(case_id: int):
    """Renew or withdraw consents (the client online, or a consultant recording what the client said)."""
    case = load(Case, case_id, can_view_case)
    form = forms.ConsentForm()
    if not form.validate_on_submit():
        return render_case(case, form_errors_status(form), consent_form=form)
    try:
        case_services.update_consents(case, current_user, form.consents())
    except DomainError as exc:
        return render_case(case, refused_status(exc), consent_form=form)
    return done(_("The consents were recorded."), case_url(case, "consents"))


@bp.post("/cases/<int:case_id>/reopen")
@login_required
def reopen(case_id: int):
    """Reopen a resolved or closed case within 30 days of its resolution."""
    case = load(Case, case_id, can_view_case)
    form = forms.ReopenForm()
    if not form.validate_on_submit():
        return render_case(case, form_errors_status(form), reopen_form=form)
    try:
        case_services.reopen(case, current_user, form.reopen_reason.data)
    except DomainError as exc:
        return render_case(case, refused_status(exc), reopen_form=form)
    return done(_("The case was reopened."), case_url(case))


@bp.post("/cases/<int:case_id>/close")
@login_required
def close(case_id: int):
    """Close a resolved case: nothing more is needed."""
    case = load(Case, case_id, can_view_case)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        case_services.close(case, current_user)
    except DomainError as exc:
        return render_case(case, refused_status(exc))
    return done(_("The case was closed."), case_url(case))


@bp.post("/cases/<int:case_id>/follow-up")
@login_required
def follow_up(case_id: int):
    """Answer "was your problem solved?" (or record the client's answer given by phone)."""
    case = load(Case, case_id, can_view_case)
    form = forms.FollowUpForm()
    if not form.validate_on_submit():
        return render_case(case, form_errors_status(form), follow_up_form=form)
    try:
        followups.answer_follow_up(case, current_user, form.result.data, form.comment.data or "")
    except DomainError as exc:
        return render_case(case, refused_status(exc), follow_up_form=form)
    return done(_("Thank you for your answer."), case_url(case))


def _may_download(user, attachment: Attachment) -> bool:
    case = db.session.get(Case, attachment.case_id)
    if can_view_case(user, case):
        return True
    if not attachment.shared_with_body:
        return False
    return any(can_view_referral(user, r) for r in queries.referrals_of(case))


@bp.get("/files/<int:attachment_id>")
@login_required
def download(attachment_id: int):
    """Download a case file (access-checked; always as an attachment, never rendered inline)."""
    attachment = load(Attachment, attachment_id, _may_download)
    try:
        path = storage.path_of(attachment.stored_name)
    except ValueError:
        abort(404)
    if not path.exists():
        abort(404)
    response = send_file(
        path, mimetype=attachment.content_type, as_attachment=True, download_name=attachment.original_name, max_age=0
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/cases/<int:case_id>/export")
@login_required
def export_case(case_id: int):
    """Download everything the bureau holds on a case as JSON (the client's subject-access copy)."""
    case = load(Case, case_id, can_view_case)
    audience = "staff" if can_work_on(current_user, case) else "client"
    if audience == "staff":
        audit.record("bureau.export_case", case, actor=current_user)
        db.session.commit()
    payload = {
        "case": case.number,
        "state": case.state,
        "category": case.category.code,
        "territory": case.territory.code,
        "channel": case.channel,
        "opened_at": case.created_at.isoformat(),
        "description": case.description,
        "consents": {k.value: (case.consent_at(k).isoformat() if case.consent_at(k) else None) for k in Consent},
        "timeline": [
            {"at": e.at.isoformat(), "kind": e.kind, "from": e.from_state, "to": e.to_state, "text": e.body}
            for e in queries.timeline(case, audience)
        ],
        "files": [a.original_name for a in queries.attachments(case, audience)],
        "exported_at": clock.now().isoformat(),
    }
    body = json.dumps(payload, ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{case.number}.json"',
            "Cache-Control": "private, no-store",
        },
    )
