"""Nightly bulk dumps of the open-data API: every list, all pages, as JSON Lines and as CSV, gzipped.

``flask opendata dump`` (cron, docs/operations.md) walks the OpenAPI document: each list path that has a ``.csv``
sibling is fetched through the app itself, page after page, so a dump holds exactly what the API serves. The files
and a ``manifest.json`` (sizes, SHA-256) go to ``<instance>/dumps`` (``OPENDATA_DUMP_DIR``); ``/api/v1/dumps``
lists them. Files are written under a temporary name and renamed, so a reader never sees half a file.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

MANIFEST = "manifest.json"


def directory() -> Path:
    path = Path(current_app.config.get("OPENDATA_DUMP_DIR") or Path(current_app.instance_path) / "dumps")
    path.mkdir(parents=True, exist_ok=True)
    return path


def listing(root: str) -> dict:
    manifest = directory() / MANIFEST
    if not manifest.exists():
        return {"generated_at": None, "files": []}
    data = json.loads(manifest.read_text(encoding="utf-8"))
    for entry in data["files"]:
        entry["url"] = f"{root}/api/v1/dumps/{entry['name']}"
    return data


def list_paths(document: dict) -> list[tuple[str, str]]:
    """(tag, URL) of every JSON list with a CSV sibling, in document order; a list filtered by state by default
    is dumped with ``state=all``, so the dump holds everything public."""
    paths = document["paths"]
    found = []
    for path, operation in paths.items():
        if f"{path}.csv" not in paths or "{" in path:
            continue
        states = [p for p in operation["get"]["parameters"] if p.get("name") == "state"]
        query = "?state=all" if states and "all" in states[0]["schema"].get("enum", ()) else ""
        found.append((operation["get"]["tags"][0], path + query))
    return found


def _write(target: Path, chunks) -> dict:
    temporary = target.with_suffix(target.suffix + ".part")
    digest = hashlib.sha256()
    with open(temporary, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
        for chunk in chunks:
            out.write(chunk)
    with open(temporary, "rb") as done:
        for block in iter(lambda: done.read(1 << 20), b""):
            digest.update(block)
    os.replace(temporary, target)
    return {"size": target.stat().st_size, "sha256": digest.hexdigest()}


def _pages(client, path: str):
    url = path
    while url:
        response = client.get(url, headers={"Accept-Language": "en"})
        if response.status_code != 200:
            raise click.ClickException(f"{url} answered {response.status_code}")
        payload = response.get_json()
        for item in payload["data"]:
            yield (json.dumps(item, ensure_ascii=False) + "\n").encode("utf-8")
        url = payload["links"]["next"]


def make_dumps(echo=click.echo) -> list[dict]:
    from civic.core.openapi import document

    client = current_app.test_client()
    out = directory()
    files = []
    for tag, url in list_paths(document("http://localhost")):
        path, _, query = url.partition("?")
        stem = path.removeprefix("/api/v1/").replace("/", "-")
        echo(f"  {stem}: JSON Lines…")
        files.append(
            {
                "name": f"{stem}.jsonl.gz",
                "module": tag,
                "format": "jsonl.gz",
                **_write(out / f"{stem}.jsonl.gz", _pages(client, url)),
            }
        )
        echo(f"  {stem}: CSV…")
        response = client.get(f"{path}.csv" + (f"?{query}" if query else ""))
        files.append(
            {
                "name": f"{stem}.csv.gz",
                "module": tag,
                "format": "csv.gz",
                **_write(out / f"{stem}.csv.gz", [response.data]),
            }
        )
    manifest = {"generated_at": datetime.now(UTC).isoformat(), "files": files}
    temporary = out / (MANIFEST + ".part")
    temporary.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(temporary, out / MANIFEST)
    return files


@click.group("opendata")
def opendata_cli() -> None:
    """Open data: bulk dumps of the public API."""


@opendata_cli.command("dump")
@with_appcontext
def dump() -> None:
    """Write every public list as JSON Lines and CSV (gzip) with a manifest of sizes and checksums."""
    files = make_dumps()
    click.echo(f"{len(files)} files written to {directory()}")
