"""Delphi pages: public results, the panelist's rounds and feedback, the organiser's workspace."""

from __future__ import annotations

from flask import Blueprint, abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from civic.core.http import get_or_404
from civic.core.links import on_register
from civic.delphi.api import bp as api_bp
from civic.delphi.links import register_links
from civic.delphi.models import DelphiRound, DelphiStudy
from civic.delphi.permissions import can_manage

bp = Blueprint("delphi", __name__, url_prefix="/delphi")
on_register(bp, register_links)
BLUEPRINTS = (bp, api_bp)
HOME_CARDS = (
    {
        "endpoint": "delphi.index",
        "title": _l("Expert panels (Delphi)"),
        "text": _l(
            "Working groups and public councils answer anonymously in rounds until their views converge; "
            "the results are published here."
        ),
    },
)
NAV_ITEMS = (("delphi.index", _l("Expert panels"), "councils"),)  # (endpoint, label, group): civic.core.shell
#: After sign-in (civic.identity.landing): council members (and organisers) on their panels and studies.
LANDING_PAGES = ((40, "delphi.organise", "delphi.index"),)


def load_study(study_id: int) -> DelphiStudy:
    return get_or_404(DelphiStudy, study_id)


def managed_study(study_id: int) -> DelphiStudy:
    """The study, if the signed-in user organises it (routes add @login_required first)."""
    study = load_study(study_id)
    if not can_manage(current_user, study):
        abort(403)
    return study


def load_round(study: DelphiStudy, number: int) -> DelphiRound:
    rnd = study.round(number)
    if rnd is None:
        abort(404)
    return rnd


from civic.delphi.views import organiser, panel, panelist, public, rounds  # noqa: E402,F401  (routes register on bp)
