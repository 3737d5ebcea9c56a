"""Dashboard pages: the akimat's dashboard (staff, per territory), the public accountability page, the CSV
exports of their tables, and the weekly digest opt-out."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from civic.dashboards import onchange
from civic.dashboards.api import bp as api_bp

bp = Blueprint("dashboards", __name__, url_prefix="/dashboards")
bp.record_once(lambda state: onchange.install(state.app))  # refresh on change (docs/dashboards.md)
BLUEPRINTS = (bp, api_bp)
NAV_ITEMS = (("dashboards.accountability", _l("Accountability"), "akimat"),)  # civic.core.shell
#: (endpoint, label, permission): the administration menu shows the dashboard to its holders.
ADMIN_LINKS = (("dashboards.index", _l("Dashboards"), "dashboards.view"),)

from civic.dashboards.views import pages  # noqa: E402,F401  (routes register on bp)
