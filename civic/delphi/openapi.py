"""The Delphi part of the OpenAPI document (``civic/core/openapi.py`` merges it)."""

from __future__ import annotations

from civic.core.openapi import CSV_RESPONSE, DATETIME, PAGING, URI, get, json_response, list_response, obj, path_id, ref

TAG = "delphi"
TITLE = obj({lang: {"type": "string"} for lang in ("kk", "ru", "en")})


def fragment(ctx) -> dict:
    return {
        "tags": [
            {"name": TAG, "description": "Published Delphi study reports (aggregates only, small panels suppressed)"}
        ],
        "paths": {
            "/api/v1/delphi/studies": get(
                "Studies with published results",
                "listDelphiStudies",
                TAG,
                PAGING,
                list_response(ref("DelphiStudy"), "Studies"),
            ),
            "/api/v1/delphi/studies.csv": get("The same as CSV", "exportDelphiStudies", TAG, [], CSV_RESPONSE),
            "/api/v1/delphi/studies/{study_id}": get(
                "One study's redacted report",
                "getDelphiReport",
                TAG,
                [path_id("study_id")],
                json_response(ref("DelphiReport"), "The report (docs/delphi-stats.md describes every figure)"),
                404,
            ),
        },
        "schemas": {
            "DelphiStudy": obj(
                {
                    "id": {"type": "integer", "minimum": 1},
                    "title": TITLE,
                    "status": {"type": "string"},
                    "results_published_at": DATETIME,
                    "url": URI,
                    "api_url": URI,
                }
            ),
            "DelphiReport": {
                "type": "object",
                "required": ["study", "items", "rounds", "report"],
                "properties": {
                    "study": {"type": "object"},
                    "items": {"type": "array", "items": {"type": "object"}},
                    "rounds": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["round", "invited", "responded"],
                            "properties": {
                                "round": {"type": "integer", "minimum": 1},
                                "invited": {"type": "integer", "minimum": 0},
                                "responded": {"type": "integer", "minimum": 0},
                            },
                        },
                    },
                    "report": {"type": "object"},
                    "kendall_w_items_asked": {"type": "object"},
                },
            },
        },
    }
