"""Initiative permissions. Residents need none (public pages, following an initiative).

``initiatives.manage`` starts initiatives for one's state body and works on every initiative of the territory and
body it covers; a user added to an initiative's team works on that initiative whatever their roles.
``initiatives.weak_spots`` sends a territory's "weak spots" report one level up and answers those sent to it."""

from flask_babel import lazy_gettext as _l

from civic.identity.permissions import OFFICIAL

MANAGE = "initiatives.manage"
WEAK_SPOTS = "initiatives.weak_spots"

ROLES: dict = {}
PERMISSIONS = {
    MANAGE: _l("Start initiatives for one's state body and work on them: steps, indicators, decisions, team"),
    WEAK_SPOTS: _l("Send a territory's weak spots upward and answer those sent from below"),
}
DEFAULTS = {OFFICIAL: {MANAGE, WEAK_SPOTS}}


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def can_manage(user, initiative) -> bool:
    """The team, and holders of ``initiatives.manage`` over the initiative's territory and body."""
    if not _signed_in(user):
        return False
    if initiative.on_team(user):
        return True
    return user.has_permission(MANAGE, territory=initiative.territory, body=initiative.body)


def can_view(user, initiative) -> bool:
    return initiative.is_public or can_manage(user, initiative)


def can_send_weak_spots(user, territory) -> bool:
    return _signed_in(user) and user.has_permission(WEAK_SPOTS, territory=territory)
