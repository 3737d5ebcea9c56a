"""The bureau's part of the OpenAPI document (``civic/core/openapi.py`` merges it)."""

from __future__ import annotations

from civic.core.openapi import URI, get, json_response, obj

TAG = "bureau"
COUNT_OR_HIDDEN = {"type": ["integer", "null"], "minimum": 0, "description": "null: fewer than 5, suppressed"}
RATE_OR_HIDDEN = {"type": ["number", "null"], "minimum": 0, "maximum": 1}


def fragment(ctx) -> dict:
    year = {
        "name": "year",
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 2000, "maximum": 2100},
    }
    return {
        "tags": [
            {"name": TAG, "description": "The advice bureau's anonymised annual figures (small cells suppressed)"}
        ],
        "paths": {
            "/api/v1/bureau/figures": get(
                "Years with figures",
                "listBureauYears",
                TAG,
                [],
                json_response(
                    obj(
                        {
                            "data": {"type": "array", "items": obj({"year": {"type": "integer"}, "api_url": URI})},
                            "suppression_threshold": {"type": "integer"},
                        }
                    ),
                    "Years",
                ),
            ),
            "/api/v1/bureau/figures/{year}": get(
                "One year's figures",
                "getBureauFigures",
                TAG,
                [year],
                json_response({"$ref": "#/components/schemas/BureauFigures"}, "Figures"),
                404,
            ),
        },
        "schemas": {
            "BureauFigures": obj(
                {
                    "year": {"type": "integer"},
                    "cases_total": COUNT_OR_HIDDEN,
                    "suppression_threshold": {"type": "integer"},
                    "sections": {
                        "type": "array",
                        "items": obj(
                            {
                                "key": {"type": "string"},
                                "title": {"type": "string"},
                                "rows": {
                                    "type": "array",
                                    "items": obj(
                                        {
                                            "key": {"type": "string"},
                                            "label": {"type": "string"},
                                            "value": COUNT_OR_HIDDEN,
                                        }
                                    ),
                                },
                            }
                        ),
                    },
                    "bodies": {
                        "type": "array",
                        "items": obj(
                            {
                                "code": {"type": "string"},
                                "name": {"type": "string"},
                                "referrals": COUNT_OR_HIDDEN,
                                "on_time": COUNT_OR_HIDDEN,
                                "late": COUNT_OR_HIDDEN,
                                "overdue_now": COUNT_OR_HIDDEN,
                                "compliance": RATE_OR_HIDDEN,
                                "reviewed": COUNT_OR_HIDDEN,
                                "evasive": COUNT_OR_HIDDEN,
                                "evasive_rate": RATE_OR_HIDDEN,
                            }
                        ),
                    },
                }
            )
        },
    }
