"""Account pages: registration, email confirmation, sign-in, password reset, profile, IIN, notifications, deletion."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from civic import db
from civic.config import LANGUAGES
from civic.core.errors import DomainError
from civic.core.forms import EmptyForm
from civic.core.http import carried_url_tokens, client_ip, form_page, safe_next
from civic.core.i18n import KEPT_LANGUAGE, LANGUAGE_COOKIE, LANGUAGE_NAMES, current_language
from civic.extensions import csrf, limiter, login_key
from civic.identity import login as sessions
from civic.identity import notifications, services
from civic.identity.admin_views import bp as admin_bp
from civic.identity.api import bp as directory_api_bp
from civic.identity.directory import territory_choices
from civic.identity.forms import (
    ChangePasswordForm,
    DeleteAccountForm,
    EdsForm,
    IinForm,
    LanguageForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
    ResetRequestForm,
)
from civic.identity.landing import landing_for
from civic.identity.models import Notification, Territory

bp = Blueprint("identity", __name__)
BLUEPRINTS = (bp, admin_bp, directory_api_bp)
#: After sign-in (civic.identity.landing): administrators land on the administration.
LANDING_PAGES = ((0, "identity.manage_users", "identity_admin.index"),)


def _territory_select(field) -> None:
    field.choices = [(0, "\u2014"), *territory_choices()]


def _chosen_territory(value: int | None) -> Territory | None:
    return db.session.get(Territory, value) if value else None


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("5 per minute;30 per hour", methods=["POST"])
def register():
    """Create an account and send the confirmation link."""
    if current_user.is_authenticated:
        return redirect(url_for("identity.account"))
    form = RegisterForm()
    _territory_select(form.home_territory)
    if request.method == "GET":
        form.locale.data = current_language()
    if form.validate_on_submit():
        if form.website.data:
            abort(400)
        services.register_user(
            form.email.data,
            form.password.data,
            form.display_name.data,
            form.locale.data,
            _chosen_territory(form.home_territory.data),
        )
        db.session.commit()
        session.clear()
        # The same answer whether the email was new or already had an account (whose owner got a mail instead):
        # registration does not tell which addresses have accounts.
        flash(
            _(
                "Almost done: we sent a message to %(email)s. Open the link in it to confirm your email, then sign in.",
                email=services.normalise_email(form.email.data),
            ),
            "success",
        )
        return redirect(url_for("identity.login"))
    return form_page("identity/register.html", form)


@bp.get("/verify/<token>")
def verify_email(token: str):
    """The emailed link: a page with a button that confirms (a GET writes nothing, so a mail scanner that opens the
    link confirms nothing either)."""
    try:
        user = services.read_verification_link(token)
    except DomainError as exc:
        return render_template("identity/verify_failed.html", message=str(exc)), 400
    if user.email_verified_at is not None:
        flash(_("Your email is confirmed."), "success")
        return redirect(url_for("identity.account") if current_user.is_authenticated else url_for("identity.login"))
    return render_template("identity/verify_email.html", form=EmptyForm(), email=user.email)


@bp.post("/verify/<token>")
@limiter.limit("10 per minute")
def confirm_email(token: str):
    """Confirm an email address (the button of the emailed link's page)."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.verify_email(token)
    except DomainError as exc:
        return render_template("identity/verify_failed.html", message=str(exc)), 400
    db.session.commit()
    flash(_("Your email is confirmed."), "success")
    return redirect(url_for("identity.account") if current_user.is_authenticated else url_for("identity.login"))


@bp.post("/account/resend-confirmation")
@login_required
@limiter.limit("3 per hour")
def resend_confirmation():
    """Send the confirmation link again."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    if current_user.email_verified_at is None:
        services.send_verification(current_user)
        db.session.commit()
    flash(_("We sent a new confirmation link."), "success")
    return redirect(url_for("identity.account"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute;50 per hour", methods=["POST"])
@limiter.limit("5 per minute", methods=["POST"], key_func=login_key)
def login():
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next"), landing_for(current_user)))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data, address=client_ip())
        except DomainError as exc:
            db.session.commit()  # keep the failure count
            form.add_domain_error(exc)
        else:
            sessions.start_session(user)
            db.session.commit()
            chosen = request.cookies.get(LANGUAGE_COOKIE)  # the language the visitor chose before signing in
            carried = carried_url_tokens(session)  # e.g. an invitation link that asked to sign in first
            session.clear()  # a fresh session (and CSRF token) at every sign-in
            session.update(carried)
            login_user(user, remember=form.remember.data)
            if chosen in LANGUAGES and chosen != user.preferred_locale:
                session[KEPT_LANGUAGE] = chosen  # kept for this session; the page offers to save it to the profile
            return redirect(safe_next(request.args.get("next"), landing_for(user)))
    return form_page("identity/login.html", form)


@bp.post("/logout")
def logout():
    """Sign out."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    if current_user.is_authenticated:
        sessions.revoke(current_user.id, sessions.current_session_hash())
        db.session.commit()
    logout_user()
    session.clear()
    return redirect(url_for("core.home"))


@bp.post("/account/sessions/revoke-others")
@login_required
def revoke_other_sessions():
    """Log out of every other device (this session stays)."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    count = sessions.revoke_others(current_user.id, sessions.current_session_hash())
    db.session.commit()
    flash(
        ngettext(
            "You were logged out of %(num)s other session.", "You were logged out of %(num)s other sessions.", count
        ),
        "success",
    )
    return redirect(url_for("identity.account"))


@bp.post("/account/sessions/<int:session_id>/revoke")
@login_required
def revoke_session(session_id: int):
    """End one of the account's sessions (listed on the account page)."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    if not sessions.revoke_by_id(current_user.id, session_id):
        abort(404)
    db.session.commit()
    flash(_("The session was ended."), "success")
    return redirect(url_for("identity.account"))


@bp.post("/language")
@csrf.exempt  # checked below for accounts; a visitor's switch only sets a cookie, so public pages need no session
def set_language():
    """Switch the interface language (cookie, and the account preference when signed in)."""
    form = LanguageForm(meta={"csrf": current_user.is_authenticated})
    target = safe_next(request.form.get("next"), url_for("core.home"))
    if not form.validate():
        return redirect(target)
    if current_user.is_authenticated:
        services.set_preferred_locale(current_user, form.language.data)
        db.session.commit()
        session.pop(KEPT_LANGUAGE, None)  # the choice is the profile's now
    response = redirect(target)
    response.set_cookie(
        LANGUAGE_COOKIE,
        form.language.data,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=current_app.config["SECURE_COOKIES"],
        httponly=True,
    )
    return response


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit("5 per minute;20 per hour", methods=["POST"])
def request_reset():
    """Ask for a password reset link (the answer is the same whether the email exists or not)."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        flash(_("If an account exists for this email, we sent a link to reset the password."), "info")
        return redirect(url_for("identity.login"))
    return form_page("identity/reset_request.html", form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def reset_password(token: str):
    """Choose a new password from a reset link."""
    try:
        services.user_for_reset_token(token)
    except DomainError as exc:
        return render_template("identity/verify_failed.html", message=str(exc)), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        user = services.reset_password(token, form.password.data)
        sessions.revoke_others(user.id, None)
        db.session.commit()
        logout_user()
        flash(_("Your password was changed. Sign in with the new one."), "success")
        return redirect(url_for("identity.login"))
    return form_page("identity/reset_password.html", form)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """Show and edit the profile."""
    form = ProfileForm(obj=current_user)
    _territory_select(form.home_territory)
    if request.method == "GET":
        form.locale.data = current_user.preferred_locale
        form.home_territory.data = current_user.home_territory_id or 0
    if form.validate_on_submit():
        services.update_profile(
            current_user,
            form.display_name.data,
            form.locale.data,
            _chosen_territory(form.home_territory.data),
            form.notification_mode.data,
        )
        db.session.commit()
        flash(_("Your profile was saved."), "success")
        return redirect(url_for("identity.account"))
    return form_page(
        "identity/account.html", form, user=current_user, iin_form=IinForm(), resend=EmptyForm(), **_sessions_context()
    )


@bp.route("/account/iin", methods=["POST"])
@login_required
@limiter.limit("10 per hour")
def add_iin():
    """Add the resident's IIN (validated; only a keyed hash is kept)."""
    form = IinForm()
    if form.validate_on_submit():
        try:
            services.add_iin(current_user, form.iin.data)
        except DomainError as exc:
            db.session.rollback()
            form.add_domain_error(exc)
        else:
            db.session.commit()
            flash(_("Your IIN was added. You can now sign petitions and vote."), "success")
            return redirect(url_for("identity.account"))
    profile = ProfileForm(obj=current_user)
    _territory_select(profile.home_territory)
    return render_template(
        "identity/account.html",
        form=profile,
        user=current_user,
        iin_form=form,
        resend=EmptyForm(),
        **_sessions_context(),
    ), 400


def _sessions_context() -> dict:
    return {
        "active_sessions": sessions.active_sessions(current_user.id),
        "current_session_id": current_user.session_record_id,
        "session_form": EmptyForm(),
    }


@bp.route("/account/eds", methods=["GET", "POST"])
@login_required
@limiter.limit("20 per hour", methods=["POST"])
def link_eds():
    """Link a national digital signature (EDS): sign this page's challenge in NCALayer and paste the result."""
    import base64
    import binascii

    from civic.identity import eds

    form = EdsForm()
    status = 200
    if form.validate_on_submit():
        challenge = eds.current_challenge()
        upload = form.signature_file.data
        raw = upload.read(60000) if upload else b""
        try:
            if not raw:
                text = "".join((form.signature.data or "").split())
                text = text.replace("-----BEGINCMS-----", "").replace("-----ENDCMS-----", "")
                raw = base64.b64decode(text, validate=True) if text else b""
            if not raw:
                raise DomainError(_("Paste the signature or choose its file."), field="signature")
            if challenge is None:
                raise DomainError(_("The challenge has expired. Sign the new challenge below."), field="signature")
            signer = eds.verify(raw, challenge)
            services.link_eds(current_user._get_current_object(), signer)
        except (binascii.Error, ValueError):
            db.session.rollback()
            form.signature.errors = [_("This is not Base64 text. Paste the signature exactly as NCALayer gave it.")]
            status = 400
        except DomainError as exc:
            db.session.rollback()
            form.add_domain_error(exc)
            status = 400
        else:
            eds.spend_challenge()
            db.session.commit()
            flash(
                _("Your digital signature was verified. Your account now has the highest verification level."),
                "success",
            )
            return redirect(url_for("identity.account"))
    elif request.method == "POST":
        status = 400
    challenge = eds.current_challenge() or eds.new_challenge()
    return render_template("identity/eds.html", form=form, challenge=challenge), status


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change the password; other sessions are signed out."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.password.data)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            sessions.revoke_others(current_user.id, sessions.current_session_hash())
            db.session.commit()
            login_user(
                current_user._get_current_object()
            )  # re-issue this session's cookie with the new session version
            flash(_("Your password was changed."), "success")
            return redirect(url_for("identity.account"))
    return form_page("identity/change_password.html", form)


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    """Erase the account's personal data after confirming the password."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            services.delete_account(current_user, form.password.data)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            db.session.commit()
            logout_user()
            session.clear()
            flash(_("Your account was deleted and your personal data erased."), "info")
            return redirect(url_for("core.home"))
    return form_page("identity/delete_account.html", form)


@bp.route("/account/notifications", methods=["GET", "POST"], endpoint="notifications")
@login_required
def notifications_view():
    """List notifications; POST marks them all read."""
    form = EmptyForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        notifications.mark_all_read(current_user)
        db.session.commit()
        return redirect(url_for("identity.notifications"))
    items = db.session.scalars(
        select(Notification).where(Notification.user_id == current_user.id).order_by(Notification.id.desc()).limit(100)
    ).all()
    return render_template("identity/notifications.html", items=items, form=form)


@bp.app_context_processor
def _account_context():
    unread = 0
    if current_user.is_authenticated and request.endpoint != "static":
        unread = notifications.unread_count(current_user)
    return {
        "unread_notifications": unread,
        "max_upload": current_app.config["MAX_CONTENT_LENGTH"],
        "language_offer": _language_offer(),
    }


def _language_offer() -> dict | None:
    """The language chosen before signing in, when it differs from the profile's: the page offers to save it."""
    kept = session.get(KEPT_LANGUAGE)
    if not current_user.is_authenticated or kept not in LANGUAGES or kept == current_user.preferred_locale:
        return None
    return {"code": kept, "name": LANGUAGE_NAMES[kept], "profile": LANGUAGE_NAMES.get(current_user.preferred_locale)}


@bp.app_template_global()
def role_label(name: str) -> str:
    from civic.identity.permissions import role_labels

    return str(role_labels().get(name, name))
