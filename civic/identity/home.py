"""What identity gives the home page: the territories a visitor can choose (``civic.core.shell.TerritoryPicker``)."""

from __future__ import annotations

from civic import db
from civic.core.shell import TerritoryPicker
from civic.identity.directory import territory_choices
from civic.identity.models import Territory

HOME_TERRITORIES = TerritoryPicker(
    choices=territory_choices, load=lambda territory_id: db.session.get(Territory, territory_id)
)
