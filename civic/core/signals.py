"""Blinker signals for reactions across modules, so that lower layers never import higher ones."""

from blinker import Namespace

_signals = Namespace()

#: Sent with the user (``sender``) after their personal data was erased; modules anonymise what they hold.
user_deleted = _signals.signal("user-deleted")
#: Sent by ``flask seed demo`` once identity demo data exists; receivers get ``context`` (a DemoContext).
demo_seeded = _signals.signal("demo-seeded")
#: Sent by petitions with the petition (``sender``) and ``kind`` ("response" or "hearing") when a threshold is first
#: reached, plus plain facts other modules may use without importing petitions: ``object_type`` ("petition"),
#: ``object_id``, ``title``, ``territory_id``, ``author_id`` and ``state_body_id``. Councils puts a petition over
#: its hearing threshold on its territory council's agenda.
threshold_reached = _signals.signal("threshold-reached")
#: Sent with the app (``sender``) and ``tables`` (a frozenset of table names) once a transaction that wrote them has
#: committed, whatever wrote them: ORM flushes, bulk statements, text SQL, the vote and signing INSERTs
#: (``civic.core.changes`` sees every write at the engine). Dashboards refresh the figures those tables feed.
tables_committed = _signals.signal("tables-committed")
