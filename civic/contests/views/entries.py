"""Residents' actions: submitting and editing ideas, co-authors, voting, comments and pledges."""

from __future__ import annotations

from contextlib import nullcontext

from flask import Response, abort, current_app, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from civic import db
from civic.contests import images, services, voting
from civic.contests.forms import CommentForm, EntryForm, InviteForm, PledgeForm, ReportForm
from civic.contests.models import Comment, Entry, EntryImage, Phase, Pledge
from civic.contests.views.common import bp, load_contest, load_entry
from civic.contests.views.public import render_detail, render_entry
from civic.core.errors import DomainError
from civic.core.forms import EmptyForm
from civic.core.http import form_page, get_or_404, wants_json
from civic.core.i18n import select_locale
from civic.db import utc_now
from civic.extensions import limited_in_view, limiter
from civic.identity.models import AssuranceLevel
from civic.identity.permissions import require_level


def _entry_url(contest_id: int, entry_id: int) -> str:
    return url_for("contests.entry", contest_id=contest_id, entry_id=entry_id)


def _links(form: EntryForm) -> list[dict]:
    return services.parse_links(form.links.data, video=False) + services.parse_links(form.video_links.data, video=True)


def _entry_form(contest, entry, closed: str, save, success: str):
    """The one shape of submitting and editing an idea: open only in the submission phase (409 with ``closed``
    otherwise), the form prefilled from ``entry`` when editing, ``save(form)`` (a service) committed once, PRG."""
    form = EntryForm(obj=entry) if entry is not None and not EntryForm().is_submitted() else EntryForm()

    def page(status=None, **extra):
        return form_page("contests/entry_form.html", form, status=status, contest=contest, entry=entry, **extra)

    if contest.phase_at(utc_now()) != Phase.SUBMISSION:
        return page(status=409, closed=closed)
    if entry is not None and not form.is_submitted():
        form.links.data = "\n".join(link["url"] for link in entry.links if not link.get("video"))
        form.video_links.data = "\n".join(link["url"] for link in entry.links if link.get("video"))
    if form.validate_on_submit():
        try:
            saved = save(form)
        except DomainError as exc:
            db.session.rollback()
            form.add_domain_error(exc)
            return page(status=exc.status_code)
        db.session.commit()
        flash(success, "success")
        return redirect(_entry_url(contest.id, saved.id), 303)
    return page()


@bp.route("/<int:contest_id>/submit", methods=["GET", "POST"])
@require_level(AssuranceLevel.EMAIL_VERIFIED)
def submit(contest_id: int):
    contest = load_contest(contest_id)
    return _entry_form(
        contest,
        None,
        _("Ideas can be submitted only during the submission phase."),
        lambda form: services.submit_entry(contest, current_user, form.title.data, form.text.data, _links(form)),
        _("Your idea was submitted. Moderators check it before it appears in the contest."),
    )


@bp.route("/<int:contest_id>/entries/<int:entry_id>/edit", methods=["GET", "POST"])
@login_required
def edit_entry(contest_id: int, entry_id: int):
    contest = load_contest(contest_id)
    entry = load_entry(contest, entry_id)
    if not entry.is_author(current_user):
        abort(403)

    def save(form):
        services.update_entry(entry, contest, current_user, form.title.data, form.text.data, _links(form))
        return entry

    return _entry_form(
        contest, entry, _("Ideas can be edited only until submission closes."), save, _("Your changes were saved.")
    )


@bp.post("/<int:contest_id>/entries/<int:entry_id>/withdraw")
@login_required
def withdraw_entry(contest_id: int, entry_id: int):
    contest = load_contest(contest_id)
    entry = load_entry(contest, entry_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.withdraw_entry(entry, contest, current_user)
    except DomainError as exc:
        db.session.rollback()
        return render_entry(contest, entry, status=exc.status_code, error=str(exc))
    db.session.commit()
    flash(_("Your idea was withdrawn."), "info")
    return redirect(_entry_url(contest.id, entry.id), 303)


@bp.post("/<int:contest_id>/entries/<int:entry_id>/coauthors")
@login_required
def invite_coauthor(contest_id: int, entry_id: int):
    contest = load_contest(contest_id)
    entry = load_entry(contest, entry_id)
    form = InviteForm()
    if not form.validate_on_submit():
        return render_entry(contest, entry, status=400, invite_form=form)
    try:
        services.invite_coauthor(entry, contest, current_user, form.email.data)
    except DomainError as exc:
        db.session.rollback()
        form.add_domain_error(exc)
        return render_entry(contest, entry, status=exc.status_code, invite_form=form, error=str(exc))
    db.session.commit()
    flash(_("The invitation was sent."), "success")
    return redirect(_entry_url(contest.id, entry.id), 303)


@bp.route("/coauthors/<token>", methods=["GET", "POST"])
@login_required
def accept_coauthor(token: str):
    try:
        coauthor = services.coauthor_for_token(token)
    except DomainError:
        abort(404)
    contest = services.contest_of(coauthor.entry)
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            services.accept_coauthor(token, current_user)
        except DomainError as exc:
            db.session.rollback()
            return form_page(
                "contests/accept.html", form, status=exc.status_code, error=str(exc), what=coauthor.entry.title
            )
        db.session.commit()
        flash(_("You are now a co-author of this idea."), "success")
        return redirect(_entry_url(contest.id, coauthor.entry_id), 303)
    return form_page("contests/accept.html", form, what=coauthor.entry.title, error=None, kind="coauthor")


# --- voting ---------------------------------------------------------------------------------------------------------


def vote_limit() -> str:
    return current_app.config.get("CONTESTS_VOTE_LIMIT", "30 per minute")


def _over_limit(user_id: int) -> bool:
    """Count one repeatable vote action (a refusal or a withdrawal) against the account's limit; True when over it.

    A vote that is counted is not limited: the database caps it at N per person, so only churn (withdraw, vote
    again) and refused attempts can repeat, and those are what this limits. Keeping Flask-Limiter off the hot path
    halves the cost of a vote (bench/vote.py)."""
    from limits import parse

    if not limiter.enabled:
        return False
    return not limiter.limiter.hit(parse(vote_limit()), "contests-vote", str(user_id))


_VOTED_JSON = b'{"status":"voted"}\n'


@bp.post("/<int:contest_id>/entries/<int:entry_id>/vote")
@limited_in_view  # the cap is in the INSERT; refusals and withdrawals count against CONTESTS_VOTE_LIMIT (_over_limit)
def vote(contest_id: int, entry_id: int):
    """Vote for an idea: one guarded INSERT (voting.py), a transaction of its own; the refusal is explained.

    The hot path votes straight from the session cookie, like petition signing: the INSERT itself checks the contest
    (published, in its voting window), the entry (accepted, of this contest) and the account (session version, not
    erased, IIN verified, home in the territory, not an author, a free slot), so nothing is loaded before it.
    CSRFProtect has already checked the token. JSON for scripts (``Accept: application/json``), a redirect for forms.
    """
    from civic.identity.login import session_user_id, token_hash

    account = session_user_id()
    if account is None:
        if not current_user.is_authenticated:  # e.g. a remember-me cookie: Flask-Login restores the session
            return current_app.login_manager.unauthorized()
        account = (current_user.id, current_user.session_version, token_hash(current_user.session_token or ""))
    now = utc_now()
    user_id, session_version, session_hash = account
    with db.statement_transaction() as connection:
        new_id = voting.insert_vote(contest_id, entry_id, *account, now=now, connection=connection)
        if new_id is None:  # what the INSERT saw, read in its transaction: one query, no account loaded
            facts = voting.refusal_facts(contest_id, entry_id, user_id, (session_version, session_hash), connection)
    if new_id is None:
        return _vote_refused(contest_id, entry_id, now, user_id, facts)
    if wants_json():
        return Response(_VOTED_JSON, 201, {"Cache-Control": "no-store"}, mimetype="application/json")
    flash(_("Your vote was counted."), "success")
    return redirect(_entry_url(contest_id, entry_id), 303)


def _vote_refused(contest_id: int, entry_id: int, now, user_id: int, facts):
    """Explain a refused vote from its facts (``voting.refusal_facts``, read outside the ORM session with the
    account's session checked as the INSERT checked it)."""
    db.forget_earlier_reads()  # a remember-me sign-in read before the INSERT: pages below read what is committed now
    if facts is None:
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        abort(404)
    if not facts.signed_in:  # the session names an account that logged out everywhere or was erased
        return current_app.login_manager.unauthorized()
    if _over_limit(user_id):
        abort(429)
    if not facts.published:
        load_contest(contest_id)  # a draft's existence is not disclosed to those who may not see it (404)
    as_json = wants_json()
    # A script's answer speaks the account's language without loading the account (select_locale); a page loads it.
    with force_locale(select_locale(facts.language)) if as_json else nullcontext():
        try:
            voting.explain(facts, now)
        except DomainError as exc:
            if as_json:
                answer = jsonify(status="refused", message=str(exc)), exc.status_code
            elif not facts.entry_accepted:
                answer = render_detail(load_contest(contest_id), status=exc.status_code, error=str(exc))
            else:
                contest = load_contest(contest_id)
                answer = render_entry(contest, get_or_404(Entry, entry_id), status=exc.status_code, error=str(exc))
            db.end_reading()  # the refusal only read
            return answer
    abort(409)  # a race the explanation no longer sees (e.g. a vote withdrawn meanwhile): try again


@bp.post("/<int:contest_id>/entries/<int:entry_id>/unvote")
@login_required
def unvote(contest_id: int, entry_id: int):
    if _over_limit(current_user.id):
        abort(429)
    contest = load_contest(contest_id)
    entry = load_entry(contest, entry_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        voting.withdraw_vote(contest, entry, current_user)
    except DomainError as exc:
        db.session.rollback()
        return render_entry(contest, entry, status=exc.status_code, error=str(exc))
    db.session.commit()
    flash(_("Your vote was withdrawn; you can give it to another idea."), "info")
    return redirect(_entry_url(contest.id, entry.id), 303)


# --- comments -------------------------------------------------------------------------------------------------------


@bp.post("/<int:contest_id>/entries/<int:entry_id>/comments")
@login_required
def comment(contest_id: int, entry_id: int):
    contest = load_contest(contest_id)
    entry = load_entry(contest, entry_id)
    form = CommentForm()
    if not form.validate_on_submit():
        return render_entry(contest, entry, status=400, comment_form=form)
    parent = int(form.parent_id.data) if (form.parent_id.data or "").isdigit() else None
    try:
        services.add_comment(entry, current_user, form.body.data, parent)
    except DomainError as exc:
        db.session.rollback()
        return render_entry(contest, entry, status=exc.status_code, error=str(exc), comment_form=form)
    db.session.commit()
    return redirect(_entry_url(contest.id, entry.id) + "#comments", 303)


@bp.post("/comments/<int:comment_id>/report")
@login_required
def report_comment(comment_id: int):
    comment = get_or_404(Comment, comment_id)
    entry = get_or_404(Entry, comment.entry_id)
    contest = services.contest_of(entry)
    load_entry(load_contest(contest.id), entry.id)
    form = ReportForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.report_comment(comment, current_user, form.reason.data)
    except DomainError as exc:
        db.session.rollback()
        return render_entry(contest, entry, status=exc.status_code, error=str(exc))
    db.session.commit()
    flash(_("Thank you. The comment is hidden until a moderator reviews it."), "info")
    return redirect(_entry_url(contest.id, entry.id) + "#comments", 303)


# --- pledges --------------------------------------------------------------------------------------------------------


@bp.post("/<int:contest_id>/entries/<int:entry_id>/pledges")
@login_required
def pledge(contest_id: int, entry_id: int):
    contest = load_contest(contest_id)
    entry = load_entry(contest, entry_id)
    form = PledgeForm()
    if not form.validate_on_submit():
        return render_entry(contest, entry, status=400, pledge_form=form)
    try:
        services.add_pledge(
            entry, current_user, form.kind.data, form.hours.data, form.description.data, form.organisation.data
        )
    except DomainError as exc:
        db.session.rollback()
        form.add_domain_error(exc)
        return render_entry(contest, entry, status=exc.status_code, error=str(exc), pledge_form=form)
    db.session.commit()
    flash(_("Thank you for your pledge."), "success")
    return redirect(_entry_url(contest.id, entry.id) + "#pledges", 303)


@bp.post("/pledges/<int:pledge_id>/withdraw")
@login_required
def withdraw_pledge(pledge_id: int):
    pledge = get_or_404(Pledge, pledge_id)
    entry = get_or_404(Entry, pledge.entry_id)
    contest = services.contest_of(entry)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.withdraw_pledge(pledge, current_user)
    except DomainError as exc:
        db.session.rollback()
        abort(exc.status_code, description=str(exc))
    db.session.commit()
    return redirect(_entry_url(contest.id, entry.id) + "#pledges", 303)


@bp.get("/my")
@login_required
def my():
    """The signed-in resident's ideas in every contest."""
    from sqlalchemy import or_, select

    from civic.contests.models import Coauthor, Contest

    coauthored = select(Coauthor.entry_id).where(Coauthor.user_id == current_user.id)
    rows = db.session.execute(
        select(Entry, Contest)
        .join(Contest, Contest.competition_id == Entry.competition_id)
        .where(or_(Entry.author_id == current_user.id, Entry.id.in_(coauthored)))
        .order_by(Entry.id.desc())
    ).all()
    return render_template("contests/my.html", rows=rows)


# --- images ---------------------------------------------------------------------------------------------------------


@bp.post("/<int:contest_id>/entries/<int:entry_id>/images")
@login_required
def add_image(contest_id: int, entry_id: int):
    contest = load_contest(contest_id)
    entry = load_entry(contest, entry_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    upload = request.files.get("image")
    if upload is None or not upload.filename:
        return render_entry(contest, entry, status=400, error=_("Choose an image file."))
    try:
        services.add_image(entry, contest, current_user, upload)
    except DomainError as exc:
        db.session.rollback()
        return render_entry(contest, entry, status=exc.status_code, error=str(exc))
    db.session.commit()
    flash(_("The image was added."), "success")
    return redirect(_entry_url(contest.id, entry.id), 303)


@bp.post("/images/<int:image_id>/delete")
@login_required
def remove_image(image_id: int):
    image = get_or_404(EntryImage, image_id)
    contest = services.contest_of(image.entry)
    entry = load_entry(load_contest(contest.id), image.entry_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        stored_name = services.remove_image(image, contest, current_user)
    except DomainError as exc:
        db.session.rollback()
        return render_entry(contest, entry, status=exc.status_code, error=str(exc))
    db.session.commit()
    images.delete(stored_name)
    return redirect(_entry_url(contest.id, entry.id), 303)


@bp.get("/images/<int:image_id>")
def image(image_id: int):
    """An entry's image, to whoever may see the entry; served as the stored, re-encoded file."""
    row = get_or_404(EntryImage, image_id)
    contest = services.contest_of(row.entry)
    load_entry(load_contest(contest.id), row.entry_id)
    try:
        path = images.path_of(row.stored_name)
    except ValueError:
        abort(404)
    if not path.exists():
        abort(404)
    response = send_file(path, mimetype=row.content_type, max_age=3600)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response
