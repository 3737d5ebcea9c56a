"""Volunteer calls: the council mobilises residents (what, where, when, how many); residents sign up with their
consent; the coordinator alone sees and exports the contacts, then closes the call with a public report."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from civic import db
from civic.core.csv_export import to_csv
from civic.core.forms import commit_or_refuse
from civic.core.http import form_page, get_or_404
from civic.councils import services
from civic.councils.forms import CallForm, CloseCallForm, SignupForm
from civic.councils.models import Signup, VolunteerCall
from civic.councils.views.common import bp, run_council


def render_call(call: VolunteerCall, status: int = 200, **forms):
    signed = None
    if current_user.is_authenticated:
        signed = db.session.scalar(select(Signup).where(Signup.call_id == call.id, Signup.user_id == current_user.id))
    return (
        render_template(
            "councils/call.html",
            call=call,
            count=services.signup_count(call),
            signed=signed,
            coordinates=services.can_coordinate(current_user, call),
            signup_form=forms.get("signup_form") or SignupForm(),
            close_form=forms.get("close_form") or CloseCallForm(),
        ),
        status,
    )


@bp.get("/calls/<int:call_id>")
def call(call_id: int):
    return render_call(get_or_404(VolunteerCall, call_id))


@bp.route("/<int:council_id>/calls/new", methods=["GET", "POST"])
@login_required
def new_call(council_id: int):
    council = run_council(council_id)
    form = CallForm()
    if form.validate_on_submit():
        created, refused = commit_or_refuse(
            lambda: services.create_call(
                council,
                current_user,
                form.title.data,
                form.what.data,
                form.place.data,
                form.starts_at.data,
                form.needed.data,
            ),
            form,
        )
        if refused:
            return form_page("councils/call_form.html", form, status=refused.status_code, council=council)
        flash(_("The call is public; residents can sign up."), "success")
        return redirect(url_for("councils.call", call_id=created.id), 303)
    return form_page("councils/call_form.html", form, council=council)


@bp.post("/calls/<int:call_id>/signup")
@login_required
def signup(call_id: int):
    call = get_or_404(VolunteerCall, call_id)
    form = SignupForm()
    if not form.validate_on_submit():
        return render_call(call, 400, signup_form=form)
    refused = commit_or_refuse(
        lambda: services.sign_up(call, current_user, form.contact.data, form.note.data or "", bool(form.consent.data)),
        form,
    ).refused
    if refused:
        return render_call(call, refused.status_code, signup_form=form)
    flash(_("Thank you for signing up. The coordinator will contact you."), "success")
    return redirect(url_for("councils.call", call_id=call.id), 303)


def _coordinated(call_id: int) -> VolunteerCall:
    call = get_or_404(VolunteerCall, call_id)
    if not services.can_coordinate(current_user, call):
        abort(403)
    return call


def _signups(call: VolunteerCall) -> list[Signup]:
    return list(db.session.scalars(select(Signup).where(Signup.call_id == call.id).order_by(Signup.id)))


@bp.get("/calls/<int:call_id>/signups")
@login_required
def signups(call_id: int):
    call = _coordinated(call_id)
    return render_template("councils/signups.html", call=call, signups=_signups(call))


@bp.get("/calls/<int:call_id>/signups.csv")
@login_required
def signups_csv(call_id: int):
    call = _coordinated(call_id)
    rows = [
        [s.user.public_name if s.user else "", s.contact, s.note, s.created_at.isoformat(), s.consent_at.isoformat()]
        for s in _signups(call)
    ]
    return Response(
        to_csv(rows, ["name", "contact", "note", "signed_up_at", "consent_at"]),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=call-{call.id}-signups.csv"},
    )


@bp.post("/calls/<int:call_id>/close")
@login_required
def close_call(call_id: int):
    call = _coordinated(call_id)
    form = CloseCallForm()
    if not form.validate_on_submit():
        return render_call(call, 400, close_form=form)
    refused = commit_or_refuse(lambda: services.close_call(call, current_user, form.report.data), form).refused
    if refused:
        return render_call(call, refused.status_code, close_form=form)
    flash(_("The call is closed and its report is public."), "success")
    return redirect(url_for("councils.call", call_id=call.id), 303)
