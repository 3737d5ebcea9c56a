"""The councils' part of the OpenAPI document (``civic/core/openapi.py`` merges it)."""

from __future__ import annotations

from civic.core.openapi import (
    COUNT,
    CSV_RESPONSE,
    DATE,
    DATETIME,
    INT32,
    NAMES,
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
from civic.councils.api import CAPACITIES, STATUSES
from civic.councils.models import Decision, ItemKind, SeatRole, VoteChoice

TAG = "councils"
ID = {"type": "integer", "minimum": 1}
TEXT = {"type": "string"}
HOURS = {"type": "number", "minimum": 0}
ALL_STATUSES = ["proposed", *STATUSES]

COUNCIL = obj(
    {
        "id": ID,
        "name": NAMES,
        "territory_code": TEXT,
        "sector_code": nullable(TEXT),
        "quorum_percent": {"type": "integer"},
        "notice_days": {"type": "integer"},
        "created_at": DATETIME,
        "url": URI,
        "api_url": URI,
    }
)
MEMBER = obj(
    {
        "name": TEXT,
        "role": {"type": "string", "enum": [r.value for r in SeatRole]},
        "starts_on": DATE,
        "term_ends_on": DATE,
        "ended_on": nullable(DATE),
        "sitting": {"type": "boolean"},
    },
    description="A seat: members are public figures (name, role, term)",
)
EXPERT = obj(
    {
        "name": TEXT,
        "areas": TEXT,
        "languages": TEXT,
        "bio": TEXT,
        "year": {"type": "integer"},
        "hours": HOURS,
        "hours_used": HOURS,
        "hours_remaining": HOURS,
    }
)
COUNCIL_DETAIL = obj(
    {
        **COUNCIL["properties"],
        "mandate": {"type": "string", "description": "Markdown"},
        "members": {"type": "array", "items": MEMBER},
        "experts": {"type": "array", "items": EXPERT},
    }
)
MEETING = obj(
    {
        "id": ID,
        "council_id": ID,
        "title": TEXT,
        "starts_at": DATETIME,
        "place": TEXT,
        "announced_at": NULL_DATETIME,
        "minutes_published_at": NULL_DATETIME,
        "url": URI,
        "api_url": URI,
    }
)
VOTES = obj({"for": COUNT, "against": COUNT, "abstain": COUNT, "present": COUNT, "sitting": COUNT})
RECORDED_VOTES = {
    "type": "array",
    "items": obj({"member": TEXT, "choice": {"type": "string", "enum": [c.value for c in VoteChoice]}}),
}
AGENDA_ITEM = obj(
    {
        "id": ID,
        "position": {"type": "integer"},
        "kind": {"type": "string", "enum": [k.value for k in ItemKind]},
        "title": TEXT,
        "text": TEXT,
        "open": {"type": "boolean"},
        "closed_reason": nullable(TEXT),
        "declarations": {"type": "array", "items": obj({"member": TEXT, "text": TEXT})},
        "recommendations": {
            "type": "array",
            "items": obj(
                {
                    "id": ID,
                    "text": TEXT,
                    "status": {"type": "string", "enum": ALL_STATUSES},
                    "voted_at": NULL_DATETIME,
                    "votes": nullable(VOTES),
                    "recorded_votes": RECORDED_VOTES,
                    "api_url": URI,
                }
            ),
        },
    }
)
MINUTES = obj(
    {
        "text": NAMES,
        "approved_at": NULL_DATETIME,
        "published_at": NULL_DATETIME,
        "attendance": obj({"present": COUNT, "sitting": COUNT, "quorum": COUNT}),
        "attendees": {
            "type": "array",
            "items": obj({"name": TEXT, "capacity": {"type": "string", "enum": list(CAPACITIES)}}),
        },
        "expert_hours": {"type": "array", "items": obj({"name": TEXT, "hours": HOURS})},
    },
    description="The published minutes (kk, ru and, if written, en) with attendance and the experts' hours",
)
MEETING_DETAIL = obj(
    {
        **MEETING["properties"],
        "agenda": {"type": "array", "items": AGENDA_ITEM},
        "minutes": nullable(MINUTES),
    }
)
RECOMMENDATION = obj(
    {
        "id": ID,
        "council_id": ID,
        "meeting_id": nullable(ID),
        "text": TEXT,
        "status": {"type": "string", "enum": list(STATUSES)},
        "voted_at": NULL_DATETIME,
        "votes": VOTES,
        "body_code": nullable(TEXT),
        "sent_at": NULL_DATETIME,
        "due_at": NULL_DATETIME,
        "extended_at": NULL_DATETIME,
        "extension_reason": nullable(TEXT),
        "acknowledged_at": NULL_DATETIME,
        "answered_at": NULL_DATETIME,
        "answered_late": nullable({"type": "boolean"}),
        "decision": nullable({"type": "string", "enum": [d.value for d in Decision]}),
        "answer": nullable(TEXT),
        "plan": nullable(TEXT),
        "plan_date": nullable(DATE),
        "unjustified_at": NULL_DATETIME,
        "unjustified_reason": nullable(TEXT),
        "url": URI,
        "api_url": URI,
    }
)
RECOMMENDATION_DETAIL = obj({**RECOMMENDATION["properties"], "recorded_votes": RECORDED_VOTES})


def fragment(ctx) -> dict:
    council_filters = [ctx.territory_parameter(), ctx.category_parameter("Sector (category code) of a sector council.")]
    rec_filters = [
        query("council", {"type": "integer", "minimum": 1, "maximum": INT32}, "Council id."),
        ctx.body_parameter("Code of the state body the recommendation was sent to."),
        ctx.territory_parameter(),
        query("status", {"type": "string", "enum": list(STATUSES)}, "Status now (computed from the dates)."),
        query("sent_from", DATE, "Sent on or after this day (Asia/Almaty)."),
        query("sent_to", DATE, "Sent on or before this day (Asia/Almaty)."),
    ]
    for parameter in council_filters:
        if parameter["name"] == "category":
            parameter["name"] = "sector"
    council_id = [path_id("council_id")]
    return {
        "tags": [
            {
                "name": TAG,
                "description": "Public councils: members, experts, meetings, agendas, minutes, recommendations and "
                "the bodies' answers",
            }
        ],
        "paths": {
            "/api/v1/councils": get(
                "Public councils",
                "listCouncils",
                TAG,
                council_filters + PAGING,
                list_response(ref("Council"), "Councils"),
            ),
            "/api/v1/councils.csv": get("Public councils as CSV", "exportCouncils", TAG, council_filters, CSV_RESPONSE),
            "/api/v1/councils/{council_id}": get(
                "One council with its members and experts",
                "getCouncil",
                TAG,
                council_id,
                json_response(ref("CouncilDetail"), "The council"),
                404,
            ),
            "/api/v1/councils/{council_id}/meetings": get(
                "A council's announced meetings",
                "listCouncilMeetings",
                TAG,
                council_id + PAGING,
                list_response(ref("CouncilMeeting"), "Meetings"),
                404,
            ),
            "/api/v1/councils/meetings/{meeting_id}": get(
                "One announced meeting: agenda, declarations, votes and published minutes",
                "getCouncilMeeting",
                TAG,
                [path_id("meeting_id")],
                json_response(ref("CouncilMeetingDetail"), "The meeting"),
                404,
            ),
            "/api/v1/councils/recommendations": get(
                "Voted recommendations with the bodies' answers",
                "listCouncilRecommendations",
                TAG,
                rec_filters + PAGING,
                list_response(ref("CouncilRecommendation"), "Recommendations"),
            ),
            "/api/v1/councils/recommendations.csv": get(
                "Voted recommendations as CSV", "exportCouncilRecommendations", TAG, rec_filters, CSV_RESPONSE
            ),
            "/api/v1/councils/recommendations/{rec_id}": get(
                "One recommendation with its recorded votes and the body's answer",
                "getCouncilRecommendation",
                TAG,
                [path_id("rec_id")],
                json_response(ref("CouncilRecommendationDetail"), "The recommendation"),
                404,
            ),
        },
        "schemas": {
            "Council": COUNCIL,
            "CouncilDetail": COUNCIL_DETAIL,
            "CouncilMeeting": MEETING,
            "CouncilMeetingDetail": MEETING_DETAIL,
            "CouncilRecommendation": RECOMMENDATION,
            "CouncilRecommendationDetail": RECOMMENDATION_DETAIL,
        },
    }
