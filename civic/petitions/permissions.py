"""Petition permissions. Residents need none: signing and starting petitions depend on the assurance level.

Where a user moderates or responds, and who is told about a petition, come from ``civic.identity.permissions``
(``scopes`` and ``holders``)."""

from flask_babel import lazy_gettext as _l

from civic.identity.permissions import OFFICIAL

MODERATE = "petitions.moderate"
RESPOND = "petitions.respond"
CONFIGURE = "petitions.configure"

#: The module's own role; ``official`` (a state body's staff) is identity's.
MODERATOR = "moderator"
ROLES = {MODERATOR: _l("Moderator")}

PERMISSIONS = {
    MODERATE: _l("Moderate petitions, route them and invalidate fraudulent signatures"),
    RESPOND: _l("Publish the official response to petitions routed to one's state body"),
    CONFIGURE: _l("Change petition thresholds, signing windows and categories"),
}
DEFAULTS = {
    MODERATOR: {MODERATE},
    OFFICIAL: {RESPOND},
}
