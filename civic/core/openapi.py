"""The one OpenAPI 3.1 document of the open-data API, merged from the modules' fragments.

A module's ``openapi.py`` defines ``fragment(ctx: Context) -> {"tags": [...], "paths": {...}, "schemas": {...}}``,
written by hand to match its ``api.py`` (schemathesis checks every response against it). The shared pieces — the
problem document, names in three languages, the paging parameters and the list envelope — live here, so every
module describes them the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from civic.core.opendata import PAGE_DEFAULT, PAGE_MAX
from civic.modules import collect

INT32 = 2**31 - 1
DATETIME = {"type": "string", "format": "date-time"}
NULL_DATETIME = {"type": ["string", "null"], "format": "date-time"}
DATE = {"type": "string", "format": "date"}
COUNT = {"type": "integer", "minimum": 0}
URI = {"type": "string", "format": "uri"}
NAMES = {"$ref": "#/components/schemas/Names"}
PROBLEM = {"$ref": "#/components/responses/Problem"}


def nullable(schema: dict) -> dict:
    """``schema`` or null (OpenAPI 3.1 has no ``nullable``: the type becomes a list)."""
    if "$ref" in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    out = {**schema, "type": [*kinds, "null"]}
    if "enum" in out and None not in out["enum"]:
        out["enum"] = [*out["enum"], None]
    return out


def obj(properties: dict, required: list[str] | None = None, description: str | None = None) -> dict:
    """A closed object: every property required unless ``required`` says otherwise."""
    out = {
        "type": "object",
        "additionalProperties": False,
        "required": list(properties) if required is None else required,
        "properties": properties,
    }
    if description:
        out["description"] = description
    return out


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def path_id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1, "maximum": INT32}}


def query(name: str, schema: dict, description: str | None = None) -> dict:
    out = {"name": name, "in": "query", "required": False, "schema": schema}
    if description:
        out["description"] = description
    return out


PAGING = [{"$ref": "#/components/parameters/Cursor"}, {"$ref": "#/components/parameters/Limit"}]


def list_response(item_schema: dict, description: str) -> dict:
    """The envelope of every JSON list: ``data``, ``links.self``/``links.next`` (the next cursor's URL or null)."""
    return {
        "description": description,
        "content": {
            "application/json": {
                "schema": obj(
                    {
                        "data": {"type": "array", "items": item_schema},
                        "links": obj({"self": URI, "next": nullable(URI)}),
                    }
                )
            }
        },
        "headers": {"ETag": {"$ref": "#/components/headers/ETag"}},
    }


def json_response(schema: dict, description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": schema}},
        "headers": {"ETag": {"$ref": "#/components/headers/ETag"}},
    }


CSV_RESPONSE = {
    "description": "CSV with a header row (UTF-8 with BOM; cells starting with = + - @ are prefixed with ')",
    "content": {"text/csv": {"schema": {"type": "string"}}},
}


def get(summary: str, operation_id: str, tag: str, parameters: list, ok: dict, *errors: int) -> dict:
    """One GET operation; every operation may answer 304, 400, 404 (where it has an id), 406 and 429."""
    responses = {"200": ok, "304": {"description": "Not modified (the ETag or date matched)"}}
    for code in (400, 429, *errors):
        responses[str(code)] = PROBLEM
    return {
        "get": {
            "summary": summary,
            "operationId": operation_id,
            "tags": [tag],
            "parameters": parameters,
            "responses": responses,
        }
    }


@dataclass
class Context:
    root: str

    @cached_property
    def territory_codes(self) -> list[str]:
        from sqlalchemy import select

        from civic import db
        from civic.identity.models import Territory

        return list(db.session.scalars(select(Territory.code).order_by(Territory.code)))

    def codes(self, model) -> list[str]:
        from sqlalchemy import select

        from civic import db

        return list(db.session.scalars(select(model.code).order_by(model.code)))

    @cached_property
    def body_codes(self) -> list[str]:
        from civic.identity.models import StateBody

        return self.codes(StateBody)

    @cached_property
    def category_codes(self) -> list[str]:
        from civic.identity.models import Category

        return self.codes(Category)

    def body_parameter(self, description: str) -> dict:
        return query("body", {"type": "string", "enum": self.body_codes}, description)

    def category_parameter(self, description: str = "Category code.") -> dict:
        return query("category", {"type": "string", "enum": self.category_codes}, description)

    def territory_parameter(self) -> dict:
        return query(
            "territory",
            {"type": "string", "enum": self.territory_codes},
            "Territory code (e.g. KZ-ALA); includes its sub-territories.",
        )


def _shared_components() -> dict:
    return {
        "schemas": {
            "Names": obj({lang: {"type": "string"} for lang in ("kk", "ru", "en")}, description="A name in kk, ru, en"),
            "Problem": {
                "type": "object",
                "required": ["type", "title", "status"],
                "properties": {
                    "type": {"type": "string"},
                    "title": {"type": "string"},
                    "status": {"type": "integer", "minimum": 400, "maximum": 599},
                    "detail": {"type": "string"},
                },
            },
        },
        "responses": {
            "Problem": {
                "description": "An error as RFC 9457 problem details, in the requested language",
                "content": {"application/problem+json": {"schema": ref("Problem")}},
            }
        },
        "parameters": {
            "Cursor": query("cursor", {"type": "string", "maxLength": 400}, "The `links.next` of the previous page."),
            "Limit": query(
                "limit", {"type": "integer", "minimum": 1, "maximum": PAGE_MAX, "default": PAGE_DEFAULT}, "Page size."
            ),
        },
        "headers": {"ETag": {"description": "Send it back in If-None-Match for a 304", "schema": {"type": "string"}}},
    }


def _front_door() -> dict:
    any_object = json_response({"type": "object"}, "A JSON document")
    return {
        "/api/v1/": get("The API index", "apiIndex", "meta", [], any_object),
        "/api/v1/openapi.json": get("This document", "openapi", "meta", [], any_object),
        "/api/v1/dumps": get(
            "Nightly bulk dumps with sizes and checksums",
            "listDumps",
            "meta",
            [],
            json_response(
                obj(
                    {
                        "data": {
                            "type": "array",
                            "items": obj(
                                {
                                    "name": {"type": "string"},
                                    "module": {"type": "string"},
                                    "format": {"type": "string", "enum": ["jsonl.gz", "csv.gz"]},
                                    "size": COUNT,
                                    "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                                    "url": URI,
                                }
                            ),
                        },
                        "meta": obj({"generated_at": NULL_DATETIME}),
                    }
                ),
                "The dump files",
            ),
        ),
    }


def document(root: str) -> dict:
    ctx = Context(root)
    components = _shared_components()
    paths = _front_door()
    tags = [{"name": "meta", "description": "The index, this document and the bulk dumps"}]
    for fragment in collect("openapi", "fragment"):
        part = fragment(ctx)
        tags.extend(part.get("tags", ()))
        paths.update(part["paths"])
        components["schemas"].update(part.get("schemas", {}))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Civic open data",
            "version": "1.0.0",
            "description": "Everything public on the platform, read-only, with no personal data: petitions, "
            "contests, public councils, initiatives and stakeholder maps, Delphi study reports, the advice bureau's "
            "anonymised figures, accountability figures and the directory. "
            "Lists page with a cursor (`links.next`), filter by territory (with its sub-territories), and "
            "exist as CSV too. Names come in kk, ru and en; times are ISO 8601 in UTC. Errors are problem "
            "documents in the language of `Accept-Language`.",
        },
        "servers": [{"url": root}],
        "tags": tags,
        "paths": paths,
        "components": components,
    }
