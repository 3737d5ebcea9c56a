"""The advice bureau's pages. Importing the submodules registers their routes on ``bp``."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from civic.bureau.api import bp as api_bp
from civic.bureau.formatting import file_size
from civic.bureau.links import register_links
from civic.bureau.services import retention  # noqa: F401  (connects the account-erasure handler)
from civic.core.links import on_register

bp = Blueprint("bureau", __name__, url_prefix="/bureau")
on_register(bp, register_links)
bp.add_app_template_filter(file_size, "bureau_file_size")
BLUEPRINTS = (bp, api_bp)
HOME_CARDS = (
    {
        "endpoint": "bureau.index",
        "title": _l("Citizen advice bureau"),
        "text": _l(
            "Free, confidential advice on debts, consumer rights, benefits, housing, legal questions, employment "
            "and migration. We can take your appeal to the competent state body and watch its deadline."
        ),
    },
)
NAV_ITEMS = (("bureau.index", _l("Advice bureau"), "help"),)  # (endpoint, label, group): civic.core.shell
#: After sign-in (civic.identity.landing): inspectors on the inspection, consultants on their queue and intake.
LANDING_PAGES = ((25, "bureau.inspect", "bureau.inspection"), (30, "bureau.consult", "bureau.queue"))

from civic.bureau.views import cases, public, referrals, staff, supervision  # noqa: E402,F401  (routes register on bp)
