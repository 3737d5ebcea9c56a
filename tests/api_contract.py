"""The open-data API against its one OpenAPI document: schemathesis generates requests for every operation under a
path prefix and validates every answer with all its checks (status codes, content types, response schemas, …).

Cursors are opaque: a made-up one is rightly refused, so generated requests carry none; real cursors are followed
in ``tests/core/test_open_data.py``.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings


@schemathesis.hook
def map_query(ctx, query):
    if query:
        query.pop("cursor", None)
    return query


def check_operations(app, prefix: str = "/api/v1", max_examples: int = 15) -> set[str]:
    """Run every operation whose path starts with ``prefix``; returns the paths checked (a test asserts on them)."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    assert schema.raw_schema["openapi"] == "3.1.0"
    checked = set()
    for result in schema.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith(prefix):
            continue

        @given(case=operation.as_strategy())
        @settings(
            max_examples=max_examples,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        def check(case):
            case.call_and_validate()

        check()
        checked.add(operation.path)
    return checked
