"""The stakeholder maps' part of the OpenAPI document (``civic/core/openapi.py`` merges it)."""

from __future__ import annotations

from civic.core.openapi import PAGING, URI, get, json_response, list_response, nullable, obj, path_id, ref
from civic.stakeholders.models import GROUPS, KINDS, Level

TAG = "stakeholders"
TEXT = {"type": "string"}
GROUP = {"type": "integer", "enum": list(GROUPS)}
SCORE = {"type": ["number", "null"], "minimum": 1, "maximum": 5}

MAP = obj(
    {
        "id": {"type": "integer", "minimum": 1},
        "owner": obj(
            {"type": TEXT, "id": {"type": "integer"}, "title": TEXT, "url": URI},
            description="What the map is for, e.g. an initiative",
        ),
        "territory_code": nullable(TEXT),
        "threshold": {"type": "number", "minimum": 1, "maximum": 5},
        "url": URI,
        "api_url": URI,
    }
)
MAP_DETAIL = obj(
    {
        **MAP["properties"],
        "stakeholders": {
            "type": "array",
            "items": obj(
                {
                    "name": TEXT,
                    "kind": {"type": "string", "enum": list(KINDS)},
                    "interest": SCORE,
                    "influence": SCORE,
                    "group": GROUP,
                    "previous_group": nullable(GROUP),
                },
                description="An organisation, group or role (never a contact person)",
            ),
        },
        "plans": {
            "type": "array",
            "items": obj(
                {
                    "group": GROUP,
                    "level": nullable({"type": "string", "enum": [level.value for level in Level]}),
                    "mechanisms": nullable(TEXT),
                }
            ),
        },
    }
)


def fragment(ctx) -> dict:
    return {
        "tags": [{"name": TAG, "description": "The public part of stakeholder maps: who is placed in which group"}],
        "paths": {
            "/api/v1/stakeholders/maps": get(
                "Stakeholder maps of public initiatives and other public owners",
                "listStakeholderMaps",
                TAG,
                [ctx.territory_parameter(), *PAGING],
                list_response(ref("StakeholderMap"), "Maps"),
            ),
            "/api/v1/stakeholders/maps/{map_id}": get(
                "One map's public part",
                "getStakeholderMap",
                TAG,
                [path_id("map_id")],
                json_response(ref("StakeholderMapDetail"), "The map"),
                404,
            ),
        },
        "schemas": {"StakeholderMap": MAP, "StakeholderMapDetail": MAP_DETAIL},
    }
