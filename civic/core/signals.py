"""Blinker signals for reactions across modules, so that lower layers never import higher ones."""

from blinker import Namespace

_signals = Namespace()

#: Sent with the user (``sender``) after their personal data was erased; modules anonymise what they hold.
user_deleted = _signals.signal("user-deleted")
#: Sent by ``flask seed demo`` once identity demo data exists; receivers get ``context`` (a DemoContext).
demo_seeded = _signals.signal("demo-seeded")
