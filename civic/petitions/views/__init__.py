"""Petition pages: browsing and signing, authoring, moderation, official responses, administration."""

from flask_babel import lazy_gettext as _l

from civic.petitions.api import bp as api_bp
from civic.petitions.views import admin, author, public, staff  # noqa: F401  (they register their routes on bp)
from civic.petitions.views.common import bp

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
NAV_ITEMS = (("petitions.index", _l("Petitions")),)
