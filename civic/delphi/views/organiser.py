"""The organiser's workspace: creating a study, its texts, rules and items, the panel, finishing and publishing."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import func, select

from civic import db
from civic.config import LANGUAGES
from civic.core import links
from civic.core.errors import DomainError, InvalidTransition
from civic.core.forms import EmptyForm
from civic.core.http import form_page, get_or_404
from civic.delphi import pseudonyms, services
from civic.delphi.analysis import effective_config
from civic.delphi.forms import (
    ConfigForm,
    ConfirmForm,
    DeadlineForm,
    ItemForm,
    OpenRoundForm,
    StudyForm,
)
from civic.delphi.items import KIND_HELP, KIND_LABELS
from civic.delphi.labels import decision_label, decision_reason, status_label
from civic.delphi.links import STUDY_TYPE, linked_object
from civic.delphi.models import (
    DelphiItem,
    DelphiParticipation,
    DelphiProposal,
    DelphiStudy,
    ItemKind,
)
from civic.delphi.permissions import ORGANISE
from civic.delphi.services.items import MOVES
from civic.delphi.services.items import move_item as move_item_service
from civic.delphi.services.studies import panel_size
from civic.delphi.views import bp, managed_study
from civic.identity.permissions import require_permission


def _study_data(form: StudyForm) -> services.StudyData:
    return services.StudyData(
        titles={lang: form[f"title_{lang}"].data or "" for lang in LANGUAGES},
        contexts={lang: form[f"context_{lang}"].data or "" for lang in LANGUAGES},
        base_language=form.base_language.data,
        link_type=form.link_type.data or None,
        link_id=form.link_id.data,
    )


@bp.route("/new", methods=["GET", "POST"])
@require_permission(ORGANISE)
def new_study():
    """Create a study (a draft until round 1 opens)."""
    form = StudyForm()
    if request.method == "GET":
        form.base_language.data = current_user.preferred_locale
        # "start a Delphi study" from another module's page: ?linked_type=…&linked_id=… pre-fills the link
        requested = links.requested(request.args, current_user, exclude=(STUDY_TYPE,))
        if requested is not None:
            form.link_type.data, form.link_id.data = requested.type, requested.id
    if form.validate_on_submit():
        try:
            study = services.create_study(current_user, _study_data(form))
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            db.session.commit()
            flash(_("The study is created. Add its items and its panel."), "success")
            return redirect(url_for("delphi.manage", study_id=study.id))
    return form_page("delphi/study_form.html", form, study=None)


@bp.route("/<int:study_id>/edit", methods=["GET", "POST"])
@login_required
def edit_study(study_id: int):
    """Change the study's texts and link."""
    study = managed_study(study_id)
    form = StudyForm(obj=study)
    if request.method == "GET":
        form.link_type.data, form.link_id.data = study.linked_object_type or "", study.linked_object_id
    if form.validate_on_submit():
        try:
            services.update_study(study, current_user, _study_data(form))
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            db.session.commit()
            flash(_("The study is saved."), "success")
            return redirect(url_for("delphi.manage", study_id=study.id))
    return form_page("delphi/study_form.html", form, study=study)


#: Round 1 asks at least this many items (services.open_round refuses an empty round).
MIN_ITEMS = 1


def setup_steps(study: DelphiStudy, config: dict, size: int) -> list[dict]:
    """The set-up before round 1 as ordered steps, each saying what is still missing (the services enforce it)."""
    items, n_min = len(study.active_items), config["n_min"]
    ready = items >= MIN_ITEMS and size >= n_min
    return [
        {
            "anchor": "items",
            "title": _("Items"),
            "done": items >= MIN_ITEMS,
            "state": ngettext("%(num)s item", "%(num)s items", items),
            "missing": ngettext("add at least %(num)s item", "add at least %(num)s items", MIN_ITEMS)
            if items < MIN_ITEMS
            else "",
        },
        {
            "anchor": "panel",
            "title": _("Panel"),
            "done": size >= n_min,
            "state": ngettext("%(num)s panelist", "%(num)s panelists", size),
            "missing": _("invite at least %(n)s panelists (%(more)s more)", n=n_min, more=n_min - size)
            if size < n_min
            else "",
        },
        {
            "anchor": "rules",
            "title": _("Consensus and stopping rules"),
            "done": True,
            "state": _("your own rules") if study.config else _("the default rules (optional step)"),
            "missing": "",
        },
        {
            "anchor": "rounds",
            "title": _("Open round 1"),
            "done": False,
            "state": _("ready: choose a deadline") if ready else _("complete the steps above first"),
            "missing": "",
        },
    ]


def manage_context(study: DelphiStudy) -> dict:
    last = study.closed_rounds[-1] if study.closed_rounds else None
    config = effective_config(study)
    statuses = (last.stopping or {}).get("item_status", {}) if last else {}
    proposals_round = study.round(0)
    size = panel_size(study)
    current = study.open_round
    return {
        "study": study,
        "config": config,
        "last": last,
        "link": linked_object(study, current_user),
        "decision": decision_label((last.stopping or {}).get("decision")) if last else None,
        "reason": decision_reason(last.stopping, config) if last else None,
        "statuses": {
            item.id: status_label(statuses.get(item.code), item, final=study.is_finished) for item in study.items
        },
        "panel_size": size,
        "setup": not study.voting_rounds and not study.is_finished,
        "steps": setup_steps(study, config, size),
        "kinds": KIND_LABELS,
        "form": EmptyForm(),
        "open_form": OpenRoundForm(formdata=None),
        # the current deadline, shown in Almaty time, as the starting point of a new one
        "deadline_form": DeadlineForm(formdata=None, deadline=current.deadline if current else None),
        "new_proposals": _new_proposals(proposals_round),
        "has_key": pseudonyms.has_key(study),
        "submitted": _submitted_counts(study),
    }


def _submitted_counts(study: DelphiStudy) -> dict[int, int]:
    """How many panelists submitted each open round so far (counts only, never who)."""
    rnd = study.open_round
    if rnd is None:
        return {}
    count = db.session.scalar(
        select(func.count())
        .select_from(DelphiParticipation)
        .where(DelphiParticipation.round_id == rnd.id, DelphiParticipation.submitted.is_(True))
    )
    return {rnd.id: count or 0}


def _new_proposals(rnd) -> int:
    if rnd is None:
        return 0
    return len(
        db.session.scalars(
            select(DelphiProposal.id).where(DelphiProposal.round_id == rnd.id, DelphiProposal.status == "new")
        ).all()
    )


@bp.get("/<int:study_id>/manage")
@login_required
def manage(study_id: int):
    """The organiser's dashboard: items, rules, panel, rounds and the stopping decision."""
    study = managed_study(study_id)
    return render_template("delphi/manage.html", **manage_context(study))


def refused(study: DelphiStudy, exc: DomainError):
    """Show the dashboard again with the refusal, answering with the error's status."""
    flash(str(exc), "error")
    return render_template("delphi/manage.html", **manage_context(study)), exc.status_code


@bp.route("/<int:study_id>/configuration", methods=["GET", "POST"])
@login_required
def configuration(study_id: int):
    """Set the consensus and stopping rules (only before round 1)."""
    study = managed_study(study_id)
    form = ConfigForm()
    if request.method == "GET":
        form.load({**effective_config(study), "rank_reason_distance": (study.config or {}).get("rank_reason_distance")})
    if form.validate_on_submit():
        try:
            services.set_config(study, current_user, form.values())
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            db.session.commit()
            flash(_("The rules are saved. They will be fixed when round 1 opens."), "success")
            return redirect(url_for("delphi.manage", study_id=study.id))
    status = 409 if study.is_frozen and request.method == "POST" else None
    return form_page("delphi/config_form.html", form, status=status, study=study)


def _item_data(form: ItemForm, kind: str) -> services.ItemData:
    def lang(prefix):
        return {code: form[f"{prefix}_{code}"].data or "" for code in LANGUAGES}

    return services.ItemData(
        kind=kind,
        texts=lang("text"),
        scale_preset=form.scale_preset.data,
        scale_points=form.scale_points.data,
        low_labels=lang("low_label"),
        high_labels=lang("high_label"),
        options={code: (text or "").splitlines() for code, text in lang("options").items()},
        unit=form.unit.data,
        min_value=form.min_value.data,
        max_value=form.max_value.data,
        ratio_scale=form.ratio_scale.data,
    )


def _fill_item_form(form: ItemForm, item: DelphiItem) -> None:
    for code in LANGUAGES:
        form[f"text_{code}"].data = getattr(item, f"text_{code}")
        form[f"low_label_{code}"].data = ((item.labels or {}).get("low") or {}).get(code, "")
        form[f"high_label_{code}"].data = ((item.labels or {}).get("high") or {}).get(code, "")
        form[f"options_{code}"].data = "\n".join(o.get(code, "") for o in item.options or [] if o.get(code))
    form.scale_preset.data, form.scale_points.data = item.scale_preset or "agreement5", item.scale_points or 5
    form.unit.data, form.min_value.data, form.max_value.data = item.unit, item.min_value, item.max_value
    form.ratio_scale.data = item.ratio_scale


@bp.route("/<int:study_id>/items/new/<kind>", methods=["GET", "POST"])
@login_required
def new_item(study_id: int, kind: str):
    """Add an item of the given kind (optionally taking up a round-0 proposal)."""
    study = managed_study(study_id)
    if kind not in set(ItemKind):
        abort(404)
    if study.is_finished:
        return refused(study, InvalidTransition(study, "add_item", _("A finished study cannot be changed.")))
    proposal = _proposal_arg(study)
    form = ItemForm()
    if request.method == "GET" and proposal is not None:
        form[f"text_{study.base_language}"].data = proposal.text
    if form.validate_on_submit():
        try:
            services.add_item(study, current_user, _item_data(form, kind), proposal=proposal)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            db.session.commit()
            flash(_("The item is added."), "success")
            return redirect(url_for("delphi.manage", study_id=study.id) + "#items")
    return form_page(
        "delphi/item_form.html",
        form,
        study=study,
        kind=kind,
        item=None,
        help=KIND_HELP[kind],
        kind_label=KIND_LABELS[kind],
        proposal=proposal,
    )


def _proposal_arg(study: DelphiStudy) -> DelphiProposal | None:
    proposal_id = request.args.get("proposal")
    rnd = study.round(0)
    if not proposal_id or rnd is None:
        return None
    proposal = db.session.get(DelphiProposal, proposal_id)
    return proposal if proposal is not None and proposal.round_id == rnd.id else None


def _study_item(study: DelphiStudy, item_id: int) -> DelphiItem:
    item = get_or_404(DelphiItem, item_id)
    if item.study_id != study.id:
        abort(404)
    return item


@bp.route("/<int:study_id>/items/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def edit_item(study_id: int, item_id: int):
    """Change an item that no round has asked yet."""
    study = managed_study(study_id)
    item = _study_item(study, item_id)
    form = ItemForm()
    if request.method == "GET":
        _fill_item_form(form, item)
    if form.validate_on_submit():
        try:
            services.update_item(item, current_user, _item_data(form, item.kind))
        except DomainError as exc:
            return refused(study, exc) if exc.status_code == 409 else _retry(form, exc, study, item)
        db.session.commit()
        flash(_("The item is saved."), "success")
        return redirect(url_for("delphi.manage", study_id=study.id) + "#items")
    return form_page(
        "delphi/item_form.html",
        form,
        study=study,
        kind=item.kind,
        item=item,
        help=KIND_HELP[item.kind],
        kind_label=KIND_LABELS[item.kind],
        proposal=None,
    )


def _retry(form, exc, study, item):
    form.add_domain_error(exc)
    return form_page(
        "delphi/item_form.html",
        form,
        study=study,
        kind=item.kind,
        item=item,
        help=KIND_HELP[item.kind],
        kind_label=KIND_LABELS[item.kind],
        proposal=None,
    )


@bp.post("/<int:study_id>/items/<int:item_id>/delete")
@login_required
def delete_item(study_id: int, item_id: int):
    """Remove an item that no round has asked yet."""
    study = managed_study(study_id)
    item = _study_item(study, item_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.delete_item(item, current_user)
    except DomainError as exc:
        return refused(study, exc)
    db.session.commit()
    flash(_("The item is removed."), "success")
    return redirect(url_for("delphi.manage", study_id=study.id) + "#items")


@bp.post("/<int:study_id>/items/<int:item_id>/move/<direction>")
@login_required
def move_item(study_id: int, item_id: int, direction: str):
    """Move an item one place up or down the list (until round 1 opens)."""
    study = managed_study(study_id)
    item = _study_item(study, item_id)
    if direction not in MOVES:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        moved = move_item_service(item, current_user, direction)
    except DomainError as exc:
        return refused(study, exc)
    db.session.commit()
    if moved:
        flash(_("Item %(code)s is moved.", code=item.code), "success")
    return redirect(url_for("delphi.manage", study_id=study.id) + "#items")


def study_action(study_id: int, action, message: str):
    """Run one bare-button service on the study, commit and go back to the dashboard (or show the refusal)."""
    study = managed_study(study_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        action(study)
    except DomainError as exc:
        return refused(study, exc)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("delphi.manage", study_id=study.id))


def confirm_page(study: DelphiStudy, form, *, heading, effects, button, action, warning=None, blocked=None, status=200):
    """The confirmation step of an action that cannot be undone (templates/delphi/confirm.html)."""
    return render_template(
        "delphi/confirm.html",
        study=study,
        form=form,
        heading=heading,
        effects=effects,
        button=button,
        action=action,
        warning=warning,
        blocked=str(blocked) if blocked else None,
    ), status


def confirmed_study_action(study_id: int, page: dict, refusal, action, message: str):
    """GET: say what the action will do (or why it cannot be done); POST with CSRF: do it."""
    study = managed_study(study_id)
    form = ConfirmForm()
    if request.method == "GET":
        return confirm_page(study, form, blocked=refusal(study), action=request.path, **page)
    return study_action(study_id, action, message)


def _finish_effects(study: DelphiStudy) -> list[str]:
    last = study.closed_rounds[-1] if study.closed_rounds else None
    statuses = ((last.stopping or {}).get("item_status", {}) if last else {}).values()
    still_open = sum(1 for status in statuses if status == "open" or status.startswith("open:"))
    effects = [
        _("No further round can open, and the items, panel and rules can no longer change."),
        _("The panel is told that the study is finished."),
    ]
    if last is not None:
        effects.append(
            _(
                "The decision after round %(n)s was: %(decision)s.",
                n=last.number,
                decision=decision_label(last.stopping.get("decision") if last.stopping else None),
            )
        )
    if still_open:
        effects.append(
            ngettext(
                "%(num)s item is still open: it is reported with its last verdict, marked as unconfirmed.",
                "%(num)s items are still open: they are reported with their last verdict, marked as unconfirmed.",
                still_open,
            )
        )
    effects.append(_("The results stay private until you publish them."))
    return effects


@bp.route("/<int:study_id>/finish", methods=["GET", "POST"])
@login_required
def finish(study_id: int):
    """Finish the study (GET: the confirmation step)."""
    study = managed_study(study_id)
    page = {
        "heading": _("Finish the study"),
        "effects": _finish_effects(study),
        "button": _("Finish the study"),
    }
    return confirmed_study_action(
        study_id,
        page,
        services.finish_refusal,
        lambda s: services.finish_study(s, current_user),
        _("The study is finished."),
    )


@bp.route("/<int:study_id>/publish-results", methods=["GET", "POST"])
@login_required
def publish_results(study_id: int):
    """Make the aggregated results public (GET: the confirmation step)."""
    page = {
        "heading": _("Publish the results"),
        "effects": [
            _("Everyone, signed in or not, can read the results page, the printable report and the exports."),
            _("The study is listed on the page of the object it is linked to."),
            _("Only aggregated statistics are published, never an individual answer or who answered."),
        ],
        "button": _("Publish the results"),
    }
    return confirmed_study_action(
        study_id,
        page,
        services.publish_refusal,
        lambda s: services.publish_results(s, current_user),
        _("The results are now public."),
    )


@bp.route("/<int:study_id>/destroy-key", methods=["GET", "POST"])
@login_required
def destroy_key(study_id: int):
    """Destroy the anonymity key now, crypto-shredding (GET: the confirmation step)."""
    page = {
        "heading": _("Destroy the anonymity key"),
        "effects": [
            _("Nobody can ever link an answer to a panelist again, including the panelists themselves."),
            _("Panelists no longer see their own answers highlighted; the stored reports and exports remain."),
        ],
        "button": _("Destroy the anonymity key now"),
    }
    return confirmed_study_action(
        study_id,
        page,
        services.shred_refusal,
        lambda s: services.destroy_key(s, current_user),
        _("The anonymity key is destroyed: answers can no longer be linked to anyone."),
    )
