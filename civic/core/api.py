"""The open-data API's front door: ``GET /api/v1/`` lists every API the modules register, with links.

Built from the registered blueprints whose URL prefix is under ``/api/``, so a module that adds an ``api.py``
blueprint (listed in its ``views.BLUEPRINTS``) appears here without any change to this file.
"""

from __future__ import annotations

import re

from flask import Blueprint, current_app, jsonify, request

API_PREFIX = "/api/v1"
bp = Blueprint("api_index", __name__)
_CONVERTER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def _uri_template(rule: str) -> str:
    """Flask's ``/petitions/<int:petition_id>`` as an RFC 6570 template, ``/petitions/{petition_id}``."""
    return _CONVERTER.sub(r"{\1}", rule)


def _description(endpoint: str) -> str:
    doc = (current_app.view_functions[endpoint].__doc__ or "").strip()
    return doc.splitlines()[0] if doc else ""


def api_blueprints() -> list[Blueprint]:
    """The registered blueprints that serve the JSON API (URL prefix under /api/), except this index."""
    return [
        blueprint
        for name, blueprint in sorted(current_app.blueprints.items())
        if name != bp.name and (blueprint.url_prefix or "").startswith("/api/")
    ]


def index_document(root: str) -> dict:
    """The index as a dict: one entry per API blueprint with its endpoints and its OpenAPI document, if any."""
    apis = []
    for blueprint in api_blueprints():
        rules = sorted(
            (r for r in current_app.url_map.iter_rules() if r.endpoint.startswith(f"{blueprint.name}.")),
            key=lambda r: r.rule,
        )
        endpoints, openapi = [], None
        for rule in rules:
            href = root + _uri_template(rule.rule)
            if rule.rule.endswith("/openapi.json"):
                openapi = href
            endpoints.append(
                {
                    "href": href,
                    "templated": "{" in href,
                    "methods": sorted(m for m in rule.methods or () if m not in ("HEAD", "OPTIONS")),
                    "description": _description(rule.endpoint),
                }
            )
        apis.append(
            {
                "name": blueprint.name.removesuffix("_api"),
                "openapi": openapi,
                "endpoints": endpoints,
            }
        )
    return {
        "name": "Civic open data API",
        "version": "v1",
        "self": root + API_PREFIX + "/",
        "apis": apis,
    }


@bp.get(f"{API_PREFIX}/")
def index():
    """This index: the APIs of the platform's modules, with links to their endpoints and OpenAPI documents."""
    response = jsonify(index_document(request.url_root.rstrip("/")))
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
