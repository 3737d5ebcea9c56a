"""The advice bureau's pages. Importing the submodules registers their routes on ``bp``."""

from flask_babel import lazy_gettext as _l

from civic.bureau.services import retention  # noqa: F401  (connects the account-erasure handler)
from civic.bureau.views import cases, public, referrals, staff, supervision  # noqa: F401  (routes)
from civic.bureau.views.common import bp

BLUEPRINTS = (bp,)
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
NAV_ITEMS = (("bureau.index", _l("Advice bureau")),)
