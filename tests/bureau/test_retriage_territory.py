"""Finding 5 (low) of the security review: a consultant re-triages an intake case only within their territory."""

import pytest

from civic import db
from civic.bureau.models import Case
from civic.bureau.services import cases as case_services
from civic.core.errors import PermissionDenied
from tests.bureau.conftest import at, territory, user


def test_a_consultant_cannot_move_a_case_out_of_their_territory(app, cast, cases):
    case_id = cases.open(territory_code="KZ-ALA-ALM")
    with at(app), pytest.raises(PermissionDenied):
        case_services.triage(db.session.get(Case, case_id), user(cast.consultant), territory=territory("KZ-VOS"))
    with app.app_context():
        assert db.session.get(Case, case_id).territory.code == "KZ-ALA-ALM"


def test_a_consultant_moves_a_case_within_their_territory(app, cast, cases):
    case_id = cases.open(territory_code="KZ-ALA-ALM")
    with at(app):
        case = db.session.get(Case, case_id)
        case_services.triage(case, user(cast.consultant), territory=territory("KZ-ALA"))
        assert case.territory.code == "KZ-ALA"
