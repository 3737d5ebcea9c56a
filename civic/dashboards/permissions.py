"""Dashboard permissions: who sees the akimat's dashboard, and where.

A holder sees the territories their assignment covers and everything below them (an official of a district's
body: that district and its rural districts); ``civic.identity.permissions.scopes`` says where. The public
accountability page needs no permission."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from civic.identity.permissions import ADMIN, INSPECTOR, OFFICIAL, scopes

VIEW = "dashboards.view"

ROLES: dict = {}
PERMISSIONS = {VIEW: _l("See the akimat's dashboards for one's territories and the territories below them")}
DEFAULTS = {OFFICIAL: {VIEW}, INSPECTOR: {VIEW}, ADMIN: {VIEW}}


def viewer_scopes(user):
    return scopes(user, VIEW)
