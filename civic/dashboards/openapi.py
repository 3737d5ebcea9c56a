"""The accountability figures' part of the OpenAPI document (``civic/core/openapi.py`` merges it)."""

from __future__ import annotations

from civic.core.openapi import CSV_RESPONSE, DATETIME, PAGING, get, list_response, nullable, obj, query, ref
from civic.dashboards.api import SUBJECTS, public_measures
from civic.dashboards.measures import ACCOUNTABILITY_COLUMNS, UNITS

TAG = "accountability"
TEXT = {"type": "string"}

FIGURE = obj(
    {
        "id": {"type": "integer", "minimum": 1},
        "family": {"type": "string", "description": "appeals, petitions, recommendations, or a module's own"},
        "column": {"type": "string", "enum": list(ACCOUNTABILITY_COLUMNS)},
        "measure": TEXT,
        "unit": {"type": "string", "enum": list(UNITS)},
        "subject": {"type": "string", "enum": list(SUBJECTS)},
        "territory_code": nullable(TEXT),
        "body_code": nullable(TEXT),
        "value": {"type": ["number", "null"], "description": "null when suppressed"},
        "suppressed_below": {
            "type": ["integer", "null"],
            "minimum": 1,
            "description": "Set when the count is hidden because it is under this threshold (small cells)",
        },
        "refreshed_at": DATETIME,
    },
    description="A figure for a territory (everything below it included) or a state body, as of the last refresh",
)


def fragment(ctx) -> dict:
    families = sorted({m.accountability[0] for m in public_measures().values()})
    filters = [
        ctx.territory_parameter(),
        ctx.body_parameter("Code of the state body."),
        query("family", {"type": "string", "enum": families}, "appeals, petitions or recommendations."),
        query("column", {"type": "string", "enum": list(ACCOUNTABILITY_COLUMNS)}, "Which figure."),
        query("subject", {"type": "string", "enum": list(SUBJECTS)}, "Figures of territories or of state bodies."),
    ]
    return {
        "tags": [
            {
                "name": TAG,
                "description": "How state bodies and territories answer appeals, petitions and council "
                "recommendations (small counts suppressed)",
            }
        ],
        "paths": {
            "/api/v1/accountability": get(
                "Public accountability figures",
                "listAccountability",
                TAG,
                filters + PAGING,
                list_response(ref("AccountabilityFigure"), "Figures"),
            ),
            "/api/v1/accountability.csv": get(
                "Public accountability figures as CSV", "exportAccountability", TAG, filters, CSV_RESPONSE
            ),
        },
        "schemas": {"AccountabilityFigure": FIGURE},
    }
