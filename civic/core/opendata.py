"""The conventions every open-data endpoint follows (docs/api.md), in one place.

- strict query strings: unknown or repeated parameters, and values outside their schema, answer 400;
- cursor pagination over a stable key (``keyset_page``), never offsets;
- JSON with ``ETag``/``Last-Modified``, 304 answers and a public ``Cache-Control`` (``cached``);
- every list also as CSV: UTF-8 with BOM, formula-safe cells (``csv_response``);
- errors as ``application/problem+json`` in the requested language (``problem``, used by the app's error handler
  for every path under ``/api/``).
A module's ``api.py`` uses these; its ``openapi.py`` exposes ``fragment(ctx)`` with the paths and schemas it serves,
merged into the one document at ``/api/v1/openapi.json`` (``civic/core/api.py``).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask import Response, abort, current_app, jsonify, request, url_for
from flask_babel import gettext as _
from sqlalchemy import Select, and_, or_

from civic.core import changes
from civic.core.csv_export import safe_cell, to_csv

PAGE_DEFAULT = 50
PAGE_MAX = 500
CACHE_PUBLIC = "public, max-age=60, stale-while-revalidate=30"
PROBLEM_TYPE = "about:blank"
LANGUAGES = ("kk", "ru", "en")


def problem(status: int, detail: str | None = None, title: str | None = None, headers=None) -> Response:
    """An RFC 9457 problem document: ``type``, ``title``, ``status``, ``detail``."""
    from werkzeug.http import HTTP_STATUS_CODES

    body = {"type": PROBLEM_TYPE, "title": title or HTTP_STATUS_CODES.get(status, "Error"), "status": status}
    if detail:
        body["detail"] = str(detail)
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False), status=status, mimetype="application/problem+json"
    )
    for name, value in headers or ():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


# --- strict query strings ---------------------------------------------------------------------------------------


class BadParameter(ValueError):
    """A query value outside its schema; the message is translated and shown in the problem's ``detail``."""


def integer(minimum: int = 0, maximum: int = 2**31 - 1) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        if not raw.isascii() or not raw.lstrip("-").isdigit() or len(raw) > 12:
            raise BadParameter(_("must be a whole number"))
        value = int(raw)
        if not minimum <= value <= maximum:
            raise BadParameter(_("must be between %(low)s and %(high)s", low=minimum, high=maximum))
        return value

    return parse


def choice(*allowed: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if raw not in allowed:
            raise BadParameter(_("must be one of: %(values)s", values=", ".join(allowed)))
        return raw

    return parse


def text(max_length: int = 200) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if len(raw) > max_length:
            raise BadParameter(_("must be at most %(n)s characters", n=max_length))
        return raw

    return parse


def day(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadParameter(_("must be a date written YYYY-MM-DD")) from None


def cursor_value(raw: str) -> list:
    try:
        decoded = json.loads(base64.urlsafe_b64decode(raw.encode("ascii") + b"=" * (-len(raw) % 4)))
    except (ValueError, UnicodeError, binascii.Error):
        raise BadParameter(_("is not a cursor this API gave out")) from None
    if not isinstance(decoded, list) or not decoded or not all(isinstance(v, (int, str)) for v in decoded):
        raise BadParameter(_("is not a cursor this API gave out"))
    return decoded


PAGING = {"cursor": cursor_value, "limit": integer(1, PAGE_MAX)}


def parse_args(spec: dict[str, Callable[[str], object]]) -> dict[str, object]:
    """The query string parsed by ``spec`` (name -> parser); anything else, or a repeat, is a 400 problem."""
    values: dict[str, object] = {}
    for name in request.args:
        raw = request.args.getlist(name)
        if name not in spec:
            abort(400, description=_("Unknown parameter “%(name)s”.", name=name[:40]))
        if len(raw) > 1:
            abort(400, description=_("The parameter “%(name)s” may be given only once.", name=name))
        try:
            values[name] = spec[name](raw[0])
        except BadParameter as exc:
            abort(400, description=f"{name}: {exc}")
    return values


# --- cursor pagination ------------------------------------------------------------------------------------------


def encode_cursor(values: Sequence) -> str:
    raw = json.dumps([_plain(v) for v in values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _plain(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


@dataclass
class Page:
    rows: list
    next_cursor: str | None


def keyset_page(stmt: Select, keys: Sequence, args: dict, key_of: Callable[[object], Sequence]) -> Page:
    """One page of ``stmt`` ordered ascending by ``keys`` (the last one unique), after ``args["cursor"]``.

    ``key_of(row)`` gives a row's key values, which the next cursor carries. Ordering by a unique key makes pages
    stable while rows are added: a row never appears twice or goes missing between pages.
    """
    limit = int(args.get("limit") or PAGE_DEFAULT)
    cursor = args.get("cursor")
    if cursor is not None:
        if len(cursor) != len(keys):
            abort(400, description=f"cursor: {_('is not a cursor this API gave out')}")
        stmt = stmt.where(_after(keys, cursor))
    rows = list(db_session().execute(stmt.order_by(*keys).limit(limit + 1)).scalars().unique())
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, encode_cursor(key_of(rows[-1])) if more and rows else None)


def _after(keys: Sequence, values: Sequence):
    """``(k1, k2, …) > (v1, v2, …)`` written out, as row values are not portable everywhere."""
    clauses = []
    for i, key in enumerate(keys):
        equal = [keys[j] == _typed(values[j]) for j in range(i)]
        clauses.append(and_(*equal, key > _typed(values[i])))
    return or_(*clauses)


def _typed(value):
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return value
    return value


def db_session():
    from civic import db

    return db.session


# --- caching ----------------------------------------------------------------------------------------------------


def cached(payload, last_modified: datetime | None = None, max_age: str = CACHE_PUBLIC) -> Response:
    """JSON with a strong ETag of its bytes and ``Last-Modified``; a matching conditional request gets a 304."""
    response = jsonify(payload)
    return conditional(response, last_modified, max_age)


def conditional(response: Response, last_modified: datetime | None = None, max_age: str = CACHE_PUBLIC) -> Response:
    response.headers["Cache-Control"] = max_age
    response.headers["Vary"] = "Accept-Language"
    if last_modified is not None:
        response.last_modified = last_modified if last_modified.tzinfo else last_modified.replace(tzinfo=UTC)
    response.add_etag()
    return response.make_conditional(request)


# --- CSV --------------------------------------------------------------------------------------------------------


def csv_safe(value) -> str:
    """A cell through the platform's one formula-safe writer (``civic.core.csv_export``), dates in ISO 8601."""
    return safe_cell(_plain(value) if isinstance(value, (date, datetime)) else value)


def csv_text(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    return to_csv(([_plain(c) if isinstance(c, (date, datetime)) else c for c in row] for row in rows), header)


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence], last_modified=None) -> Response:
    """A CSV download: UTF-8 with BOM (spreadsheets then read Kazakh and Russian letters), formula-safe cells."""
    response = Response(csv_text(header, rows).encode("utf-8-sig"), mimetype="text/csv")
    response.headers["Content-Disposition"] = f"attachment; filename={filename}"
    return conditional(response, last_modified)


def names(obj) -> dict:
    """An object's name in the three languages, as every API shows names."""
    return {lang: getattr(obj, f"name_{lang}") for lang in LANGUAGES}


def iso(value) -> str | None:
    return _plain(value) if value is not None else None


def wants_csv() -> bool:
    return request.path.endswith(".csv")


CSV_LIMIT = 100_000


def serve_list(
    stmt: Select,
    key,
    args: dict,
    item: Callable[[object], dict],
    csv_columns: Sequence[str] | None = None,
    csv_row: Callable[[object], Sequence] | None = None,
    filename: str = "data.csv",
) -> Response:
    """A filtered list as a JSON page (cursor over the unique ``key``) or, on a ``.csv`` path, all of it as CSV."""
    if wants_csv():
        rows = db_session().execute(stmt.order_by(key).limit(CSV_LIMIT)).scalars().unique()
        to_row = csv_row or (lambda obj: [item(obj).get(column) for column in csv_columns])
        return csv_response(filename, csv_columns, (to_row(obj) for obj in rows))
    page = keyset_page(stmt, [key], args, lambda obj: [getattr(obj, key.key)])
    return cached({"data": [item(obj) for obj in page.rows], "links": links(page)})


def links(page: Page) -> dict:
    """``self`` and ``next`` (null on the last page), percent-encoded, keeping the request's filters."""
    here = {**(request.view_args or {}), **{k: v for k, v in request.args.items() if k != "cursor"}}
    if "cursor" in request.args:
        here_self = {**here, "cursor": request.args["cursor"]}
    else:
        here_self = here
    return {
        "self": url_for(request.endpoint, **here_self, _external=True),
        "next": url_for(request.endpoint, **here, cursor=page.next_cursor, _external=True)
        if page.next_cursor
        else None,
    }


def subtree(territory_column, code: str | None):
    """A condition: ``territory_column`` lies in the territory ``code`` or below (unknown codes are a 400)."""
    from sqlalchemy import select

    from civic.identity.models import Territory

    if code is None:
        return None
    path = db_session().scalar(select(Territory.path).where(Territory.code == code))
    if path is None:
        abort(400, description=_("Unknown territory code “%(code)s”.", code=code[:40]))
    return territory_column.in_(select(Territory.id).where(Territory.path.startswith(path)))


def external(endpoint: str, **values) -> str:
    """An absolute URL, as every ``url`` and ``api_url`` field gives."""
    return url_for(endpoint, **values, _external=True)


def id_for(model, name: str, code: str) -> int:
    """The id of the directory row with ``code`` (a territory, category or body); an unknown code is a 400."""
    from sqlalchemy import select

    found = db_session().scalar(select(model.id).where(model.code == code))
    if found is None:
        abort(400, description=_("Unknown %(name)s code: see /api/v1/openapi.json for the known ones.", name=name))
    return found


# --- a short-lived response cache for the API -------------------------------------------------------------------


class ResponseCache:
    """The last answers of this worker process, by URL and language, for ``API_CACHE_SECONDS``.

    Readers poll: a repeated request (or its conditional twin, answered 304) is served without touching the
    database. Only 200 answers with an ETag are kept; the public ``Cache-Control`` already allows proxies to keep
    them for longer, so a few seconds here change nothing a client can rely on.
    """

    def __init__(self, size: int = 4096):
        from collections import OrderedDict

        self.size = size
        self.entries: OrderedDict = OrderedDict()

    def get(self, key, now: float):
        found = self.entries.get(key)
        if found is None or found[0] < now:
            return None
        self.entries.move_to_end(key)
        return found[1]

    def put(self, key, expires: float, value) -> None:
        self.entries[key] = (expires, value)
        self.entries.move_to_end(key)
        while len(self.entries) > self.size:
            self.entries.popitem(last=False)


_cache = ResponseCache()


def _cache_key():
    from flask_babel import get_locale

    return (request.full_path, str(get_locale()))


def _serve_from_cache():
    import time

    if request.method != "GET" or not current_app.config.get("API_CACHE_SECONDS"):
        return None
    hit = _cache.get(_cache_key(), time.monotonic())
    if hit is None:
        return None
    data, headers = hit
    response = current_app.response_class(data, headers=headers)
    return response.make_conditional(request)


def _remember(response: Response) -> Response:
    import time

    seconds = current_app.config.get("API_CACHE_SECONDS")
    cacheable = request.method == "GET" and response.status_code == 200 and not response.direct_passthrough
    if seconds and cacheable and response.headers.get("ETag"):
        _cache.put(_cache_key(), time.monotonic() + seconds, (response.get_data(), list(response.headers)))
    return response


# --- 304 from table change versions (civic.core.changes) -------------------------------------------------------


def _entry_key() -> str:
    path, language = _cache_key()
    return f"{language}|{path}"


def _not_modified_from_versions(store):
    """A 304 for a conditional GET whose page's tables are unchanged since it was built with the client's ETag.

    Otherwise start recording the tables the page reads, with a snapshot of their versions taken before its first
    query (a write committing during the build then makes the stored versions stale, never the page). Which tables
    an endpoint reads is learnt per process from its first build, which snapshots every table (``_endpoint_tables``);
    a later build that reads a table outside its snapshot stores no entry, and the next one snapshots that table too.
    """
    key = _entry_key()
    if request.if_none_match:
        found = store.check(key)
        if found is not None and found[1] and request.if_none_match.contains_weak(found[0]["etag"]):
            response = current_app.response_class(status=304)
            response.set_etag(found[0]["etag"])
            for name, value in found[0]["headers"]:
                response.headers[name] = value
            return response
    tables = _endpoint_tables.get(request.endpoint) or changes.tracker(current_app).table_list
    snapshot = store.versions(tables)
    if snapshot is not None:
        request.environ["civic.changes"] = (key, dict(zip(tables, snapshot, strict=True)))
        request.environ["civic.changes.token"] = changes.reading.set(set())
    return None


#: endpoint -> the tables its builds read (sorted tuple), in this process.
_endpoint_tables: dict[str, tuple[str, ...]] = {}


def _record_validator(store, response: Response) -> None:
    started = request.environ.pop("civic.changes", None)
    token = request.environ.pop("civic.changes.token", None)
    read = changes.reading.get()
    if token is not None:
        changes.reading.reset(token)
    if started is None or not read:
        return
    key, snapshot = started
    if not read <= snapshot.keys():
        _endpoint_tables[request.endpoint] = tuple(sorted(read.union(_endpoint_tables.get(request.endpoint, ()))))
        return
    if request.endpoint not in _endpoint_tables or len(snapshot) > len(_endpoint_tables[request.endpoint]):
        _endpoint_tables[request.endpoint] = tuple(sorted(read))
    if response.status_code not in (200, 304) or response.direct_passthrough:
        return
    etag, weak = response.get_etag()
    if not etag or weak:
        return
    headers = [(name, response.headers[name]) for name in _VALIDATOR_HEADERS if name in response.headers]
    entry = {"etag": etag, "headers": headers, "tables": {table: snapshot[table] for table in sorted(read)}}
    store.put(key, entry, int(current_app.config.get("API_CHANGE_TTL") or 3600))


_VALIDATOR_HEADERS = ("Cache-Control", "Vary", "Last-Modified")


def _change_store():
    if request.method != "GET":
        return None
    found = changes.tracker(current_app)
    return found.store() if found is not None else None


def install_response_cache(app, blueprint_names: set[str]) -> None:
    """Serve and remember the answers of these blueprints (hooks on the app: blueprints are shared by every app
    a process creates, and a registered blueprint takes no new hooks), and answer their conditional requests from
    table change versions (``civic.core.changes``, tracking the app's engine)."""
    changes.install(app, app.extensions["civic_engine"])

    def serve():
        if request.blueprint not in blueprint_names:
            return None
        hit = _serve_from_cache()
        if hit is not None:
            return hit
        store = _change_store()
        return _not_modified_from_versions(store) if store is not None else None

    def remember(response: Response) -> Response:
        if request.blueprint not in blueprint_names:
            return response
        if "civic.changes" in request.environ:
            _record_validator(_change_store(), response)
        return _remember(response)

    def forget(_exc):
        token = request.environ.pop("civic.changes.token", None)
        if token is not None:
            changes.reading.reset(token)

    app.before_request(serve)
    app.after_request(remember)
    app.teardown_request(forget)
