"""The initiatives' part of the OpenAPI document (``civic/core/openapi.py`` merges it)."""

from __future__ import annotations

from civic.core.openapi import (
    COUNT,
    CSV_RESPONSE,
    DATETIME,
    NULL_DATETIME,
    PAGING,
    URI,
    get,
    json_response,
    list_response,
    nullable,
    obj,
    path_id,
    query,
    ref,
)
from civic.initiatives.api import PERIOD_PATTERN
from civic.initiatives.models import COLLECTION_LEVELS, LAST_STEP, SECTORS, Aggregation, Direction

TAG = "initiatives"
ID = {"type": "integer", "minimum": 1}
TEXT = {"type": "string"}
STEP = {"type": "integer", "minimum": 1, "maximum": LAST_STEP}
NUMBER = {"type": ["number", "null"]}
PERIOD = {"type": "string", "pattern": PERIOD_PATTERN}

INITIATIVE = obj(
    {
        "id": ID,
        "title": TEXT,
        "summary": {"type": "string", "description": "Markdown"},
        "territory_code": TEXT,
        "body_code": nullable(TEXT),
        "sector": {"type": "string", "enum": list(SECTORS)},
        "step": STEP,
        "horizon_years": {"type": "integer"},
        "created_at": DATETIME,
        "reported_at": NULL_DATETIME,
        "url": URI,
        "api_url": URI,
    }
)
INDICATOR = obj(
    {
        "id": ID,
        "code": TEXT,
        "name": TEXT,
        "unit": TEXT,
        "direction": {"type": "string", "enum": [d.value for d in Direction]},
        "level": {"type": "string", "enum": list(COLLECTION_LEVELS)},
        "aggregation": {"type": "string", "enum": [a.value for a in Aggregation]},
        "target_value": NUMBER,
        "target_period": nullable(PERIOD),
        "first_value": NUMBER,
        "latest_value": NUMBER,
        "progress_percent": NUMBER,
    },
    description="The target is the value to reach at the initiative's territory by the target period; first and "
    "latest values are those of the initiative's territory",
)
INITIATIVE_DETAIL = obj(
    {
        **INITIATIVE["properties"],
        "decision": nullable(TEXT),
        "steps": {
            "type": "array",
            "items": obj({"from_step": STEP, "to_step": STEP, "note": TEXT, "at": DATETIME}),
        },
        "decisions": {"type": "array", "items": obj({"step": STEP, "text": TEXT, "at": DATETIME})},
        "indicators": {"type": "array", "items": ref("InitiativeIndicator")},
        "report": nullable(obj({"text": TEXT, "reported_at": DATETIME})),
        "values_url": URI,
    }
)
VALUE = obj(
    {
        "indicator_code": TEXT,
        "territory_code": TEXT,
        "period": PERIOD,
        "value": {"type": "number"},
        "count": COUNT,
    },
    description="An indicator's value at a territory in a period, rolled up from the values collected below it "
    "(`count` of them)",
)


def fragment(ctx) -> dict:
    filters = [
        ctx.territory_parameter(),
        ctx.body_parameter("Code of the state body that owns the initiative."),
        query("sector", {"type": "string", "enum": list(SECTORS)}, "Sector."),
        query("step", STEP, "The step the initiative stands at (1–10)."),
    ]
    value_filters = [
        query("indicator", {"type": "string", "maxLength": 40}, "Indicator code."),
        ctx.territory_parameter(),
        query("period_from", PERIOD, "From this period (a year or a month)."),
        query("period_to", PERIOD, "Up to this period; a year includes its months."),
    ]
    initiative_id = [path_id("initiative_id")]
    return {
        "tags": [
            {"name": TAG, "description": "Initiatives: steps, decisions, indicators with values and targets, reports"}
        ],
        "paths": {
            "/api/v1/initiatives": get(
                "Public initiatives",
                "listInitiatives",
                TAG,
                filters + PAGING,
                list_response(ref("Initiative"), "Initiatives"),
            ),
            "/api/v1/initiatives.csv": get(
                "Public initiatives as CSV", "exportInitiatives", TAG, filters, CSV_RESPONSE
            ),
            "/api/v1/initiatives/{initiative_id}": get(
                "One public initiative with its steps, decisions, indicators and report",
                "getInitiative",
                TAG,
                initiative_id,
                json_response(ref("InitiativeDetail"), "The initiative"),
                404,
            ),
            "/api/v1/initiatives/{initiative_id}/values": get(
                "Indicator values by territory and period",
                "listInitiativeValues",
                TAG,
                initiative_id + value_filters + PAGING,
                list_response(ref("InitiativeValue"), "Values"),
                404,
            ),
            "/api/v1/initiatives/{initiative_id}/values.csv": get(
                "Indicator values as CSV",
                "exportInitiativeValues",
                TAG,
                initiative_id + value_filters,
                CSV_RESPONSE,
                404,
            ),
        },
        "schemas": {
            "Initiative": INITIATIVE,
            "InitiativeDetail": INITIATIVE_DETAIL,
            "InitiativeIndicator": INDICATOR,
            "InitiativeValue": VALUE,
        },
    }
