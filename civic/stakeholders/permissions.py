"""Stakeholder permissions. Who works on a map comes from its owner (``civic.core.providers.owner``: an
initiative's team); ``stakeholders.register`` keeps a territory's reusable register."""

from flask_babel import lazy_gettext as _l

from civic.identity.permissions import OFFICIAL

REGISTER = "stakeholders.register"

ROLES: dict = {}
PERMISSIONS = {REGISTER: _l("Keep a territory's register of stakeholders, with their contact persons")}
DEFAULTS = {OFFICIAL: {REGISTER}}
