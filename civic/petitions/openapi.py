"""The OpenAPI 3.0 document of the petitions API, written by hand to match ``api.py`` (checked by schemathesis)."""

from __future__ import annotations

from civic.core.deadlines import ExtensionReason
from civic.petitions.models import PUBLIC_STATES, RejectionCode
from civic.petitions.queries import PAGE_SIZES, SORTS
from civic.petitions.rules import PETITION_CATEGORY_CODES

DATETIME = {"type": "string", "format": "date-time", "nullable": True}
NAMES = {
    "type": "object",
    "required": ["kk", "ru", "en"],
    "additionalProperties": False,
    "properties": {lang: {"type": "string"} for lang in ("kk", "ru", "en")},
}
COUNT = {"type": "integer", "minimum": 0}
THRESHOLD = {"type": "integer", "minimum": 1, "nullable": True}

SUMMARY = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "id",
        "title",
        "state",
        "territory",
        "category",
        "signature_count",
        "signatures_verified_by_eds",
        "signatures_verified_in_person_or_eds",
        "threshold_level",
        "opened_at",
        "closes_at",
        "closed_at",
        "response_threshold",
        "hearing_threshold",
        "response_threshold_reached_at",
        "response_due_at",
        "hearing_threshold_reached_at",
        "responded_at",
        "rejection_code",
        "url",
        "api_url",
    ],
    "properties": {
        "id": {"type": "integer", "minimum": 1},
        "title": {"type": "string"},
        "state": {"type": "string", "enum": [str(s) for s in PUBLIC_STATES]},
        "territory": {
            "type": "object",
            "additionalProperties": False,
            "required": ["code", "level", "name"],
            "properties": {
                "code": {"type": "string"},
                "name": NAMES,
                "level": {"type": "string", "enum": ["republic", "oblast", "city", "district", "rural_district"]},
            },
        },
        "category": {
            "type": "object",
            "additionalProperties": False,
            "required": ["code", "name"],
            "properties": {"code": {"type": "string"}, "name": NAMES},
        },
        "signature_count": {**COUNT, "description": "Valid signatures (invalidated ones are not counted)."},
        "signatures_verified_by_eds": {
            **COUNT,
            "description": "Of the valid signatures, those whose signers verified their IIN with a digital signature.",
        },
        "signatures_verified_in_person_or_eds": {
            **COUNT,
            "description": "Of the valid signatures, those whose signers were verified in person or by digital signature.",
        },
        "threshold_level": {
            "type": "integer",
            "enum": [2, 3, 4],
            "description": "Which signers count toward the thresholds: 2 any verified IIN (checksum), 3 in person or "
            "digital signature, 4 digital signature only.",
        },
        "opened_at": DATETIME,
        "closes_at": DATETIME,
        "closed_at": DATETIME,
        "response_threshold": THRESHOLD,
        "hearing_threshold": THRESHOLD,
        "response_threshold_reached_at": {
            **DATETIME,
            "description": "When the signature that reached the response threshold was made.",
        },
        "response_due_at": {
            **DATETIME,
            "description": "End of the 15th day (30th once extended) after the response threshold was reached, "
            "Asia/Almaty, moved to the next working day if it falls on a day off.",
        },
        "hearing_threshold_reached_at": DATETIME,
        "responded_at": DATETIME,
        "rejection_code": {"type": "string", "nullable": True, "enum": [c.value for c in RejectionCode] + [None]},
        "url": {"type": "string", "format": "uri"},
        "api_url": {"type": "string", "format": "uri"},
    },
}

DETAIL = {
    "type": "object",
    "additionalProperties": False,
    "required": SUMMARY["required"]
    + [
        "text",
        "language",
        "state_body",
        "signatures_by_territory",
        "signatures_by_day",
        "response",
        "response_extension",
        "rejection",
    ],
    "properties": {
        **SUMMARY["properties"],
        "text": {"type": "string"},
        "language": {"type": "string", "enum": ["kk", "ru", "en"]},
        "state_body": {
            "type": "object",
            "nullable": True,
            "additionalProperties": False,
            "required": ["code", "name"],
            "properties": {"code": {"type": "string"}, "name": NAMES},
        },
        "signatures_by_territory": {
            "type": "array",
            "description": "Signers' home territories, one level below the petition's territory.",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["territory_code", "group", "count"],
                "properties": {
                    "territory_code": {"type": "string", "nullable": True},
                    "group": {"type": "string", "enum": ["territory", "outside", "unknown"]},
                    "count": COUNT,
                },
            },
        },
        "signatures_by_day": {
            "type": "array",
            "description": "Calendar days in Asia/Almaty.",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["date", "count"],
                "properties": {"date": {"type": "string", "format": "date"}, "count": COUNT},
            },
        },
        "response": {
            "type": "object",
            "nullable": True,
            "additionalProperties": False,
            "required": ["text", "responded_at", "updated_at", "overdue_days"],
            "description": "Null while no response is due; text is Markdown.",
            "properties": {
                "text": {"type": "string", "nullable": True},
                "responded_at": DATETIME,
                "updated_at": DATETIME,
                "overdue_days": COUNT,
            },
        },
        "response_extension": {
            "type": "object",
            "nullable": True,
            "additionalProperties": False,
            "required": ["reason", "reason_label", "note", "extended_at"],
            "description": "The answer term extended once to 30 days by the responsible body; null if not extended.",
            "properties": {
                "reason": {"type": "string", "enum": [r.value for r in ExtensionReason]},
                "reason_label": {"type": "string", "description": "The reason in the requested language."},
                "note": {"type": "string", "nullable": True},
                "extended_at": {"type": "string", "format": "date-time"},
            },
        },
        "rejection": {
            "type": "object",
            "nullable": True,
            "additionalProperties": False,
            "required": ["code", "details", "duplicate_of"],
            "properties": {
                "code": {"type": "string", "enum": [c.value for c in RejectionCode]},
                "details": {"type": "string", "nullable": True},
                "duplicate_of": {"type": "integer", "nullable": True},
            },
        },
    },
}

ERROR = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {"error": {"type": "integer"}, "message": {"type": "string"}},
}


def _filters(territory_codes: list[str]) -> list[dict]:
    return [
        {
            "name": "state",
            "in": "query",
            "schema": {"type": "string", "enum": ["open", "closed", "rejected", "all"], "default": "open"},
        },
        {
            "name": "q",
            "in": "query",
            "description": "Words that must all appear in the title or text.",
            "schema": {"type": "string", "maxLength": 200},
        },
        {
            "name": "territory",
            "in": "query",
            "description": "Territory code (e.g. KZ-ALA); includes its sub-territories.",
            "schema": {"type": "string", "enum": territory_codes},
        },
        {
            "name": "category",
            "in": "query",
            "description": "Category code.",
            "schema": {"type": "string", "enum": list(PETITION_CATEGORY_CODES)},
        },
        {"name": "sort", "in": "query", "schema": {"type": "string", "enum": list(SORTS), "default": "signed"}},
    ]


PAGING = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100000, "default": 1}},
    {"name": "per_page", "in": "query", "schema": {"type": "integer", "enum": list(PAGE_SIZES), "default": 20}},
]


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def document(server_url: str, territory_codes: list[str]) -> dict:
    """The OpenAPI document, with this server's address and the territory codes it knows."""
    filters = _filters(territory_codes)
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Civic petitions open data",
            "version": "1.0.0",
            "description": "Public petitions to akimats of Kazakhstan: texts, signature counts by territory "
            "and day, threshold moments, official responses and rejection codes. Read-only; "
            "no personal data. Counts include signatures made seconds ago.",
        },
        "servers": [{"url": server_url}],
        "paths": {
            "/api/v1/petitions": {
                "get": {
                    "summary": "List public petitions",
                    "operationId": "listPetitions",
                    "parameters": filters + PAGING,
                    "responses": {
                        "200": {
                            "description": "One page of petitions",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["data", "meta", "links"],
                                        "additionalProperties": False,
                                        "properties": {
                                            "data": {
                                                "type": "array",
                                                "items": {"$ref": "#/components/schemas/PetitionSummary"},
                                            },
                                            "meta": {
                                                "type": "object",
                                                "required": ["page", "per_page", "has_next", "total"],
                                                "additionalProperties": False,
                                                "properties": {
                                                    "page": {"type": "integer"},
                                                    "per_page": {"type": "integer"},
                                                    "has_next": {"type": "boolean"},
                                                    "total": COUNT,
                                                },
                                            },
                                            "links": {
                                                "type": "object",
                                                "required": ["self", "next"],
                                                "additionalProperties": False,
                                                "properties": {
                                                    "self": {"type": "string", "format": "uri"},
                                                    "next": {"type": "string", "format": "uri", "nullable": True},
                                                },
                                            },
                                        },
                                    }
                                }
                            },
                        },
                        "400": _error("Unknown territory or category code (the document lists the known ones)"),
                    },
                }
            },
            "/api/v1/petitions/{petition_id}": {
                "get": {
                    "summary": "One public petition",
                    "operationId": "getPetition",
                    "parameters": [
                        {
                            "name": "petition_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer", "minimum": 1, "maximum": 2147483647},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "The petition",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/PetitionDetail"}}
                            },
                        },
                        "404": _error("No public petition with this number"),
                    },
                }
            },
            "/api/v1/petitions.csv": {
                "get": {
                    "summary": "The filtered list as CSV (UTF-8 with BOM)",
                    "operationId": "exportPetitions",
                    "parameters": filters,
                    "responses": {
                        "200": {
                            "description": "CSV with a header row",
                            "content": {"text/csv": {"schema": {"type": "string"}}},
                        },
                        "400": _error("Unknown territory or category code (the document lists the known ones)"),
                    },
                }
            },
            "/api/v1/openapi.json": {
                "get": {
                    "summary": "This document",
                    "operationId": "openapi",
                    "responses": {
                        "200": {
                            "description": "OpenAPI 3.0 document",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
        },
        "components": {"schemas": {"PetitionSummary": SUMMARY, "PetitionDetail": DETAIL, "Error": ERROR}},
    }
