"""Contest pages: browsing and entries, voting, comments and pledges, screening, the organiser's workspace, the
jury and the results."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from civic.contests.api import bp as api_bp
from civic.contests.links import register_links
from civic.core.links import on_register

bp = Blueprint("contests", __name__, url_prefix="/contests")
on_register(bp, register_links)
BLUEPRINTS = (bp, api_bp)
HOME_CARDS = (
    {
        "endpoint": "contests.index",
        "title": _l("Idea contests"),
        "text": _l(
            "The akimat poses a concrete problem; residents propose solutions, vote for the best ones, and a jury "
            "chooses the winners, who get a grant, implementation or recognition."
        ),
    },
)
NAV_ITEMS = (
    ("contests.index", _l("Idea contests"), "take_part"),
    ("contests.hackathons", _l("Hackathons"), "take_part"),
)  # (endpoint, label, group): civic.core.shell
#: (endpoint, label, permission): the administration menu shows the screening queue to moderators.
ADMIN_LINKS = (("contests.screening", _l("Screening of contest ideas"), "contests.moderate"),)

from civic.contests.views import (  # noqa: E402,F401  (routes register on bp)
    entries,
    hackathon_staff,
    hackathons,
    jury,
    organiser,
    public,
    staff,
)
