"""Council pages: the public council, meeting and recommendation pages, the tracker and a body's page, the iCalendar
feed, the secretary's workspaces (council, meeting), the body's answers and volunteer calls."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from civic.core.links import on_register
from civic.councils.api import bp as api_bp
from civic.councils.links import register_links, register_panel_source

bp = Blueprint("councils", __name__, url_prefix="/councils")
on_register(bp, register_links)
bp.record_once(register_panel_source)
BLUEPRINTS = (bp, api_bp)
HOME_CARDS = (
    {
        "endpoint": "councils.index",
        "title": _l("Public councils"),
        "text": _l(
            "Open meetings of the akimats' public councils and their invited experts; recommendations that state "
            "bodies must answer within 15 days."
        ),
    },
)
NAV_ITEMS = (
    ("councils.index", _l("Public councils"), "councils"),
    ("councils.tracker", _l("Recommendations tracker"), "councils"),
)
#: (endpoint, label, permission): the administration menu.
ADMIN_LINKS = (
    ("councils.new", _l("New public council"), "councils.manage"),
    ("councils.answers", _l("Council recommendations to answer"), "councils.answer"),
)

from civic.councils.views import body, public, staff, volunteers  # noqa: E402,F401  (routes register on bp)
