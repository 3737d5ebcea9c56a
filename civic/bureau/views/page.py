"""Rendering the case page: what the client sees, or the staff workspace with the forms for the next steps."""

from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

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
    WORK_ACTION_LABELS,
)
from civic.bureau.permissions import CONSULT, SUPERVISE, can_work_on
from civic.bureau.services.cases import active_referral
from civic.bureau.services.referrals import suggest_body
from civic.bureau.services.work import templates_for
from civic.bureau.status import client_status
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
    "work_action": WORK_ACTION_LABELS,
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
    """The referral form: the routing rules' suggestion preselected, every body grouped by its territory."""
    suggested = suggest_body(case)
    form = forms.ReferForm(body=getattr(suggested, "id", None))
    form.body.choices = body_groups(case, suggested)
    form.shared.choices = [(a.id, a.original_name) for a in attachments]
    return form


def body_groups(case, suggested) -> dict[str, list[tuple[int, str]]]:
    """State bodies as ``<optgroup>``s: the suggestion first, then the bodies of the case's territory and the levels
    above it (nearest first), then every other territory by name. Works without JavaScript; the page's small
    script only filters the options as the consultant types."""
    bodies = list(db.session.scalars(select(StateBody).options(joinedload(StateBody.territory))))
    chain = list(reversed(case.territory.ancestor_ids))  # the case's own territory first, then its parents
    rank = {tid: index for index, tid in enumerate(chain)}
    territories = {b.territory_id: b.territory for b in bodies}
    ordered = sorted((t for t in territories.values() if t.id in rank), key=lambda t: rank[t.id])
    ordered += sort_by_name(t for t in territories.values() if t.id not in rank)
    groups: dict[str, list[tuple[int, str]]] = {}
    if suggested is not None:
        groups[_("Suggested by the routing rules")] = [(suggested.id, suggested.name)]
    for territory in ordered:
        members = sort_by_name(
            b for b in bodies if b.territory_id == territory.id and b.id != getattr(suggested, "id", None)
        )
        if members:
            groups[f"{territory.name} ({territory.level_label})"] = [(b.id, b.name) for b in members]
    return groups


def suggestion_reason(case, suggested) -> str:
    """Why the routing rules suggest this body: the case's territory and area, and the level that handles it."""
    if suggested is None:
        return _("The routing rules found no state body for this territory. Choose the competent body in the list.")
    if suggested.is_competent_for(case.category):
        return _(
            "Suggested because the case is in %(territory)s and concerns “%(category)s”: %(body)s handles this area "
            "for %(level)s.",
            territory=case.territory.name,
            category=case.category.name,
            body=suggested.name,
            level=suggested.territory.name,
        )
    return _(
        "Suggested because the case is in %(territory)s and concerns “%(category)s”: no body there handles this "
        "area, so the appeal goes to the akimat, %(body)s.",
        territory=case.territory.name,
        category=case.category.name,
        body=suggested.name,
    )


def take_form(case) -> forms.TriageForm:
    """The first step of the guided path: check the area, territory and urgency, and take the case."""
    return triage_form(case)


def staff_forms(case, attachments) -> dict:
    return {
        "triage_form": triage_form(case),
        "take_form": take_form(case),
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
    active = active_referral(case)
    suggested = suggest_body(case) if staff and active is None and case.is_open else None
    context = {
        "case": case,
        "staff": staff,
        "events": queries.timeline(case, audience),
        "attachments": attachments,
        "referrals": queries.referrals_of(case),
        "active": active,
        "suggested": suggested,
        "suggestion_reason": suggestion_reason(case, suggested) if staff and active is None and case.is_open else "",
        "status": client_status(case, active, now),
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
