"""The petitions part of the OpenAPI 3.1 document, written by hand to match ``api.py`` (checked by schemathesis)."""

from __future__ import annotations

from civic.core.deadlines import ExtensionReason
from civic.core.openapi import (
    COUNT,
    CSV_RESPONSE,
    DATE,
    NAMES,
    NULL_DATETIME,
    PAGING,
    get,
    json_response,
    list_response,
    path_id,
    query,
    ref,
)
from civic.petitions.api import STATES
from civic.petitions.models import PUBLIC_STATES, RejectionCode
from civic.petitions.rules import PETITION_CATEGORY_CODES

DATETIME = NULL_DATETIME
THRESHOLD = {"type": ["integer", "null"], "minimum": 1}

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
        "rejection_code": {"type": ["string", "null"], "enum": [c.value for c in RejectionCode] + [None]},
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
            "type": ["object", "null"],
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
                    "territory_code": {"type": ["string", "null"]},
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
            "type": ["object", "null"],
            "additionalProperties": False,
            "required": ["text", "responded_at", "updated_at", "overdue_days"],
            "description": "Null while no response is due; text is Markdown.",
            "properties": {
                "text": {"type": ["string", "null"]},
                "responded_at": DATETIME,
                "updated_at": DATETIME,
                "overdue_days": COUNT,
            },
        },
        "response_extension": {
            "type": ["object", "null"],
            "additionalProperties": False,
            "required": ["reason", "reason_label", "note", "extended_at"],
            "description": "The answer term extended once to 30 days by the responsible body; null if not extended.",
            "properties": {
                "reason": {"type": "string", "enum": [r.value for r in ExtensionReason]},
                "reason_label": {"type": "string", "description": "The reason in the requested language."},
                "note": {"type": ["string", "null"]},
                "extended_at": {"type": "string", "format": "date-time"},
            },
        },
        "rejection": {
            "type": ["object", "null"],
            "additionalProperties": False,
            "required": ["code", "details", "duplicate_of"],
            "properties": {
                "code": {"type": "string", "enum": [c.value for c in RejectionCode]},
                "details": {"type": ["string", "null"]},
                "duplicate_of": {"type": ["integer", "null"]},
            },
        },
    },
}

TAG = "petitions"


def fragment(ctx) -> dict:
    """The petitions' paths and schemas (``civic/core/openapi.py`` merges them into the one document)."""
    filters = [
        query("state", {"type": "string", "enum": list(STATES), "default": "open"}),
        query("q", {"type": "string", "maxLength": 200}, "Words that must all appear in the title or text."),
        ctx.territory_parameter(),
        query("category", {"type": "string", "enum": list(PETITION_CATEGORY_CODES)}, "Category code."),
        ctx.body_parameter("Code of the state body the petition is addressed to."),
        query("opened_from", DATE, "Opened on or after this day (Asia/Almaty)."),
        query("opened_to", DATE, "Opened on or before this day (Asia/Almaty)."),
    ]
    return {
        "tags": [{"name": TAG, "description": "Public petitions, their signatures by territory and day, answers"}],
        "paths": {
            "/api/v1/petitions": get(
                "List public petitions (ordered by id)",
                "listPetitions",
                TAG,
                filters + PAGING,
                list_response(ref("PetitionSummary"), "One page of petitions"),
            ),
            "/api/v1/petitions/{petition_id}": get(
                "One public petition",
                "getPetition",
                TAG,
                [path_id("petition_id")],
                json_response(ref("PetitionDetail"), "The petition"),
                404,
            ),
            "/api/v1/petitions.csv": get("The filtered list as CSV", "exportPetitions", TAG, filters, CSV_RESPONSE),
        },
        "schemas": {"PetitionSummary": SUMMARY, "PetitionDetail": DETAIL},
    }
