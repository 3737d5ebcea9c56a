"""Initiative pages: the public list and page of an initiative with its indicators and report, the catalogue of
the seed's cases, the team's workspace (steps, decisions, indicators, values and CSV upload), and weak-spot
reports."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from civic.core import providers
from civic.core.links import on_register
from civic.initiatives.api import bp as api_bp
from civic.initiatives.links import register_links, register_providers

bp = Blueprint("initiatives", __name__, url_prefix="/initiatives")
on_register(bp, register_links)
providers.on_register(bp, register_providers)
BLUEPRINTS = (bp, api_bp)
HOME_CARDS = (
    {
        "endpoint": "initiatives.index",
        "title": _l("Initiatives"),
        "text": _l(
            "How the akimat works on local problems step by step: the data, the decision and its targets, who is "
            "involved, and the report."
        ),
    },
)
NAV_ITEMS = (("initiatives.index", _l("Initiatives"), "akimat"),)
ADMIN_LINKS = (
    ("initiatives.mine", _l("My initiatives"), "initiatives.manage"),
    ("initiatives.weak_spots", _l("Weak spots reports"), "initiatives.weak_spots"),
)

from civic.initiatives.views import public, staff  # noqa: E402,F401  (routes register on bp)
