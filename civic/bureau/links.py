"""What the bureau gives the link registry (``civic.core.links``): cases as a linkable type, for staff only.

A Delphi study or another module may point at a case ("case", 42); only the bureau's staff working on it see the
link (the public and other users see nothing, not even that a case exists)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from civic import db
from civic.bureau.models import Case
from civic.bureau.permissions import can_work_on
from civic.core.http import path_for
from civic.core.links import LinkRegistry

TYPE = "case"


def _visible(user, case_id: int) -> bool:
    case = db.session.get(Case, case_id)
    return case is not None and can_work_on(user, case)


def _title(case_id: int) -> str | None:
    case = db.session.get(Case, case_id)
    return case.number if case is not None else None


def register_links(registry: LinkRegistry) -> None:
    registry.register_type(
        TYPE, _l("Advice bureau case"), lambda i: path_for("bureau.case_detail", case_id=i), _visible, _title
    )
