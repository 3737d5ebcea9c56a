"""The directory's part of the OpenAPI document (``civic/core/openapi.py`` merges it)."""

from __future__ import annotations

from civic.core.openapi import CSV_RESPONSE, NAMES, PAGING, get, list_response, nullable, obj, query, ref
from civic.identity.api import KINDS, LEVELS

TAG = "directory"


def fragment(ctx) -> dict:
    territory = ctx.territory_parameter()
    level = query("level", {"type": "string", "enum": list(LEVELS)})
    kind = query("kind", {"type": "string", "enum": list(KINDS)})
    category = ctx.category_parameter("Category code: the bodies competent for it.")
    paths = {}
    for name, summary, operation, params, schema in (
        ("territories", "Territories", "Territories", [level, territory], "Territory"),
        ("categories", "Categories", "Categories", [], "Category"),
        ("bodies", "State bodies", "Bodies", [territory, kind, category], "StateBody"),
    ):
        paths[f"/api/v1/{name}"] = get(
            summary, f"list{operation}", TAG, params + PAGING, list_response(ref(schema), summary)
        )
        paths[f"/api/v1/{name}.csv"] = get(f"{summary} as CSV", f"export{operation}", TAG, params, CSV_RESPONSE)
    return {
        "tags": [{"name": TAG, "description": "Territories, categories and state bodies, referred to by code"}],
        "paths": paths,
        "schemas": {
            "Territory": obj(
                {
                    "code": {"type": "string"},
                    "level": {"type": "string", "enum": list(LEVELS)},
                    "parent_code": nullable({"type": "string"}),
                    "name": NAMES,
                }
            ),
            "Category": obj({"code": {"type": "string"}, "active": {"type": "boolean"}, "name": NAMES}),
            "StateBody": obj(
                {
                    "code": {"type": "string"},
                    "kind": {"type": "string", "enum": list(KINDS)},
                    "territory_code": {"type": "string"},
                    "category_codes": {"type": "array", "items": {"type": "string"}},
                    "name": NAMES,
                }
            ),
        },
    }
