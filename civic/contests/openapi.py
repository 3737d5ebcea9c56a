"""The contests' part of the OpenAPI document (``civic/core/openapi.py`` merges it)."""

from __future__ import annotations

from civic.contests.api import PHASES
from civic.contests.models.contest import PHASE_STARTS, RewardKind
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

TAG = "contests"
NUMBER = {"type": ["number", "null"]}
DATED = [str(phase) for phase, _column in PHASE_STARTS]

CONTEST = obj(
    {
        "id": {"type": "integer", "minimum": 1},
        "title": {"type": "string"},
        "phase": {"type": "string", "enum": list(PHASES)},
        "territory_code": {"type": "string"},
        "category_code": nullable({"type": "string"}),
        "body_code": nullable({"type": "string"}),
        "reward_kind": {"type": "string", "enum": [r.value for r in RewardKind]},
        "reward": {"type": "string"},
        "votes_per_voter": {"type": "integer", "minimum": 1},
        "phases": {
            "type": "array",
            "items": obj({"phase": {"type": "string", "enum": DATED}, "starts_at": DATETIME}),
        },
        "results_published_at": NULL_DATETIME,
        "url": URI,
        "api_url": URI,
    }
)
CONTEST_DETAIL = obj(
    {
        **CONTEST["properties"],
        "text": {"type": "string", "description": "Markdown"},
        "rules": {"type": "string"},
        "entries": COUNT,
        "votes": COUNT,
        "implementation_report": nullable({"type": "string"}),
    }
)
ENTRY = obj(
    {
        "id": {"type": "integer", "minimum": 1},
        "title": {"type": "string"},
        "text": {"type": "string"},
        "authors": {"type": "array", "items": {"type": "string"}},
        "links": {"type": "array", "items": {"type": "string"}},
        "votes": COUNT,
        "submitted_at": DATETIME,
    }
)
RESULT_ROW = {
    "type": "object",
    "required": ["id", "title", "jury_score", "public_score", "combined", "eligible", "rank", "per_judge"],
    "properties": {
        "id": {"type": "integer"},
        "title": {"type": "string"},
        "authors": {"type": "array", "items": {"type": "string"}},
        "judges": COUNT,
        "votes": COUNT,
        "jury_score": NUMBER,
        "public_score": NUMBER,
        "combined": NUMBER,
        "eligible": {"type": "boolean"},
        "rank": {"type": ["integer", "null"], "minimum": 1},
        "per_judge": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["judge", "recused", "scores", "raw_total", "normalised"],
                "properties": {
                    "judge": {"type": "string", "description": "Judge 1…n, never a name"},
                    "recused": {"type": "boolean"},
                    "scores": {"type": "array", "items": NUMBER},
                    "raw_total": NUMBER,
                    "normalised": NUMBER,
                },
            },
        },
    },
}
RESULTS = obj(
    {
        "contest_id": {"type": "integer"},
        "published_at": DATETIME,
        "settings": {"type": "object"},
        "criteria": {"type": "array", "items": {"type": "object"}},
        "judges": {"type": "array", "items": {"type": "object"}},
        "entries": {"type": "array", "items": RESULT_ROW},
        "winners": {"type": "array", "items": {"type": "integer"}},
    },
    description="Frozen when the organiser published; the combined score and ranking follow docs/contests-scoring.md",
)


def fragment(ctx) -> dict:
    filters = [
        ctx.territory_parameter(),
        ctx.category_parameter(),
        ctx.body_parameter("Code of the organising state body."),
        query("phase", {"type": "string", "enum": list(PHASES)}, "The phase the contest stands in now."),
    ]
    contest_id = [path_id("contest_id")]
    return {
        "tags": [{"name": TAG, "description": "Idea contests: problems, phases, entries, votes and jury results"}],
        "paths": {
            "/api/v1/contests": get(
                "Published contests", "listContests", TAG, filters + PAGING, list_response(ref("Contest"), "Contests")
            ),
            "/api/v1/contests.csv": get("Published contests as CSV", "exportContests", TAG, filters, CSV_RESPONSE),
            "/api/v1/contests/{contest_id}": get(
                "One published contest",
                "getContest",
                TAG,
                contest_id,
                json_response(ref("ContestDetail"), "The contest"),
                404,
            ),
            "/api/v1/contests/{contest_id}/entries": get(
                "Accepted entries with live vote counts",
                "listContestEntries",
                TAG,
                contest_id + PAGING,
                list_response(ref("ContestEntry"), "Entries"),
                404,
            ),
            "/api/v1/contests/{contest_id}/results": get(
                "Published results with the full scoring breakdown",
                "getContestResults",
                TAG,
                contest_id,
                json_response(ref("ContestResults"), "The results"),
                404,
            ),
        },
        "schemas": {
            "Contest": CONTEST,
            "ContestDetail": CONTEST_DETAIL,
            "ContestEntry": ENTRY,
            "ContestResults": RESULTS,
        },
    }
