"""The open-data API's front door: the index at ``/api/v1/``, the one OpenAPI 3.1 document at
``/api/v1/openapi.json`` (merged from the modules' ``openapi.fragment(ctx)``), its viewer at ``/api/v1/docs`` and
the bulk dumps at ``/api/v1/dumps``.

Built from the registered blueprints whose URL prefix is under ``/api/``, so a module that adds an ``api.py``
blueprint (listed in its ``views.BLUEPRINTS``) and an ``openapi.py`` appears here without any change to this file.
"""

from __future__ import annotations

import re

from flask import Blueprint, current_app, render_template, request

from civic.core import opendata
from civic.core.openapi import document

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
        endpoints = []
        for rule in rules:
            href = root + _uri_template(rule.rule)
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
                "endpoints": endpoints,
            }
        )
    return {
        "name": "Civic open data API",
        "version": "v1",
        "self": root + API_PREFIX + "/",
        "openapi": root + API_PREFIX + "/openapi.json",
        "docs": root + API_PREFIX + "/docs",
        "dumps": root + API_PREFIX + "/dumps",
        "apis": apis,
    }


@bp.get(f"{API_PREFIX}/")
def index():
    """This index: the APIs of the platform's modules, with links to their endpoints and OpenAPI documents."""
    return opendata.cached(index_document(request.url_root.rstrip("/")), max_age="public, max-age=300")


@bp.get(f"{API_PREFIX}/openapi.json")
def openapi():
    """The OpenAPI 3.1 document of the whole open-data API."""
    opendata.parse_args({})
    return opendata.cached(document(request.url_root.rstrip("/")), max_age="public, max-age=300")


@bp.get(f"{API_PREFIX}/docs")
def docs():
    """A browsable view of the OpenAPI document (vendored Swagger UI, no inline script)."""
    return render_template("core/api_docs.html")


@bp.get(f"{API_PREFIX}/dumps")
def dumps():
    """The nightly bulk dumps (JSON Lines and CSV, gzip) with their sizes and SHA-256 checksums."""
    from civic.core import dumps as bulk

    opendata.parse_args({})
    listing = bulk.listing(request.url_root.rstrip("/"))
    return opendata.cached({"data": listing["files"], "meta": {"generated_at": listing["generated_at"]}})


@bp.get(f"{API_PREFIX}/dumps/<name>")
def dump_file(name: str):
    """One dump file."""
    from flask import abort, send_from_directory

    from civic.core import dumps as bulk

    if name not in {f["name"] for f in bulk.listing("")["files"]}:
        abort(404)
    return send_from_directory(bulk.directory(), name, max_age=3600)
