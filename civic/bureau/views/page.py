"""Rendering the case page: what the client sees, or the staff workspace with the forms for the next steps."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user
from sqlalchemy import select

from civic import db
from civic.bureau import clock, forms, queries
from civic.bureau.models import Consent
from civic.bureau.models.enums import (
    CHANNEL_LABELS,
    CONSENT_LABELS,
    CONTACT_LABELS,
    EVENT_LABELS,
    EXTENSION_LABELS,
    FOLLOW_UP_LABELS,
    OUTCOME_LABELS,
    STATE_LABELS,
    TRANSITIONS,
)
from civic.bureau.permissions import CONSULT, SUPERVISE, can_work_on
from civic.bureau.services.cases import active_referral
from civic.bureau.services.referrals import suggest_body
from civic.bureau.services.work import templates_for
from civic.bureau.views.common import category_choices, territory_select
from civic.core.forms import EmptyForm
from civic.core.i18n import sort_by_name
from civic.identity.models import StateBody
from civic.identity.permissions import holders

LABELS = {
    "event": EVENT_LABELS,
    "state": STATE_LABELS,
    "consent": CONSENT_LABELS,
    "outcome": OUTCOME_LABELS,
    "extension": EXTENSION_LABELS,
    "channel": CHANNEL_LABELS,
    "contact": CONTACT_LABELS,
    "follow_up": FOLLOW_UP_LABELS,
}


def consent_form(case) -> forms.ConsentForm:
    form = forms.ConsentForm()
    if not form.is_submitted():
        now = clock.now()
        form.consent_data.data = case.consent_valid(Consent.DATA, now)
        form.consent_referral.data = case.consent_valid(Consent.REFERRAL, now)
        form.consent_follow_up.data = case.consent_valid(Consent.FOLLOW_UP, now)
    return form


def triage_form(case) -> forms.TriageForm:
    form = forms.TriageForm(category=case.category_id, territory=case.territory_id, urgent=case.urgent)
    form.category.choices, form.territory.choices = category_choices(), territory_select()
    return form


def assign_form(case) -> forms.AssignForm:
    form = forms.AssignForm(consultant=case.consultant_id or current_user.id)
    people = holders(CONSULT, territory=case.territory)
    if current_user.id not in {p.id for p in people}:
        people.insert(0, current_user)
    form.consultant.choices = [(p.id, p.public_name) for p in people]
    return form


def refer_form(case, attachments) -> forms.ReferForm:
    suggested = suggest_body(case)
    form = forms.ReferForm(body=getattr(suggested, "id", None))
    bodies = sort_by_name(db.session.scalars(select(StateBody)))
    form.body.choices = [(b.id, b.name) for b in bodies]
    form.shared.choices = [(a.id, a.original_name) for a in attachments]
    return form


def staff_forms(case, attachments) -> dict:
    return {
        "triage_form": triage_form(case),
        "assign_form": assign_form(case),
        "note_form": forms.NoteForm(),
        "action_form": forms.ActionForm(),
        "message_form": forms.MessageForm(),
        "await_form": forms.RequestInfoForm(),
        "resume_form": forms.ResumeForm(),
        "refer_form": refer_form(case, attachments),
        "resolve_form": forms.ResolveForm(),
        "reopen_form": forms.ReopenForm(),
        "consent_form": consent_form(case),
        "follow_up_form": forms.FollowUpForm(),
    }


def client_forms(case) -> dict:
    return {
        "message_form": forms.MessageForm(),
        "consent_form": consent_form(case),
        "reopen_form": forms.ReopenForm(),
        "follow_up_form": forms.FollowUpForm(),
        "close_form": EmptyForm(),
    }


def render_case(case, status: int = 200, **overrides):
    """The case page for the current user (client or staff), with any re-submitted forms put back."""
    staff = can_work_on(current_user, case)
    audience = "staff" if staff else "client"
    attachments = queries.attachments(case, audience)
    page_forms = staff_forms(case, attachments) if staff else client_forms(case)
    page_forms.update(overrides)
    now = clock.now()
    context = {
        "case": case,
        "staff": staff,
        "events": queries.timeline(case, audience),
        "attachments": attachments,
        "referrals": queries.referrals_of(case),
        "active": active_referral(case),
        "now": now,
        "consent_ok": case.consent_valid(Consent.DATA, now),
        "can_reopen": case.can_reopen(now),
        "templates": templates_for(case) if staff else [],
        "allowed": allowed_actions(case),
        "is_supervisor": current_user.has_permission(SUPERVISE, territory=case.territory),
        "labels": LABELS,
    }
    return render_template(
        "bureau/case_staff.html" if staff else "bureau/case_client.html", **context, **page_forms
    ), status


def allowed_actions(case) -> set[str]:
    """The transitions the case's state allows (the page shows only these forms)."""
    return {action for action, (sources, _target) in TRANSITIONS.items() if case.state in sources}
