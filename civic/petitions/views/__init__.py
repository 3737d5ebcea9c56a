"""Petition pages: browsing and signing, authoring, moderation, official responses, administration."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from civic.core.links import on_register
from civic.petitions import queries
from civic.petitions.api import bp as api_bp
from civic.petitions.links import register_links
from civic.petitions.permissions import MODERATE, RESPOND

bp = Blueprint("petitions", __name__, url_prefix="/petitions")
on_register(bp, register_links)
BLUEPRINTS = (bp, api_bp)
HOME_CARDS = (
    {
        "endpoint": "petitions.index",
        "title": _l("Petitions"),
        "text": _l(
            "Start a petition to your akimat or sign one. Enough signatures oblige the akimat to answer publicly "
            "within 15 days."
        ),
    },
)
NAV_ITEMS = (("petitions.index", _l("Petitions"), "take_part"),)  # (endpoint, label, group): civic.core.shell
#: After sign-in (civic.identity.landing): moderators on their queue, officials on the answers due, residents on the
#: petitions they started or signed.
LANDING_PAGES = (
    (10, MODERATE, "petitions.moderation_queue"),
    (20, RESPOND, "petitions.awaiting_response"),
    (100, None, queries.followed_page),
)

from civic.petitions.views import admin, author, public, staff  # noqa: E402,F401  (routes register on bp)
