"""Contest permissions. Residents need none: submitting, voting, commenting and pledging depend on the assurance
level, and judging on an accepted invitation (a judge is a member of one competition's jury, not a role).

Where a user organises or moderates comes from ``civic.identity.permissions`` (``scopes``, ``holders``)."""

from flask_babel import lazy_gettext as _l

from civic.identity.permissions import OFFICIAL

ORGANISE = "contests.organise"
MODERATE = "contests.moderate"
TALENT = "contests.talent_pool"

#: The platform's content moderator (petitions declares the same role; the grants merge).
MODERATOR = "moderator"
#: The akimat's personnel officer: sees the hackathon talent pool (participants who consented) for the reserve.
HR_OFFICER = "hr_officer"
ROLES = {MODERATOR: _l("Moderator"), HR_OFFICER: _l("Personnel (HR) officer")}

PERMISSIONS = {
    ORGANISE: _l("Organise idea contests for one's state body: phases, jury and results"),
    MODERATE: _l("Screen contest entries and review reported comments"),
    TALENT: _l("See the hackathon talent pool (participants who consented) for the personnel reserve"),
}
DEFAULTS = {
    MODERATOR: {MODERATE},
    OFFICIAL: {ORGANISE},
    HR_OFFICER: {TALENT},
}


def can_organise(user, contest) -> bool:
    """The contest's organisers: holders of ``contests.organise`` over its territory and body."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.has_permission(ORGANISE, territory=contest.territory, body=contest.body)


def can_moderate(user, contest) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return user.has_permission(MODERATE, territory=contest.territory)
