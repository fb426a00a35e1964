"""Answers of the hot endpoints, serialised without marshmallow at request time.

`@bp.output(Schema)` stays on those views for the OpenAPI document, but a view that
returns a `Response` skips its dump (APIFlask passes a Response through untouched):
the view builds JSON-ready dicts itself and answers with `json_response`, which
writes them exactly as `jsonify` would (the app's JSON provider: sorted keys, Chinese
as is). The headers every answer gets (server/headers.py) are added after the view
either way.

`compile_schema` reads a schema once, at import, and returns a function that turns
a presenter's dict into what `schema.dump(dict)` gives, doing only the work its
fields need (times to Asia/Shanghai, days to ISO, nested schemas, lists). Tests
compare both on realistic data (tests/server/api/test_fast_json.py) so they cannot
drift apart.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import date, datetime

from apiflask import fields
from flask import Response, current_app
from flask.json.provider import DefaultJSONProvider
from marshmallow import Schema

from server.api.schemas.fields import LocalDateTime
from server.clock import SHANGHAI

Converter = Callable[[object], object]

# Fields whose dump of a JSON-ready value is the value itself.
_AS_IS = (fields.String, fields.Integer, fields.Boolean, fields.Dict)


def local_time(moment: datetime | None) -> str | None:
    """A UTC time as Asia/Shanghai ISO 8601 with its offset (as LocalDateTime dumps it)."""
    if moment is None:
        return None
    return moment.astimezone(SHANGHAI).isoformat(timespec="seconds")


def _iso_day(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def json_response(payload: object, status: int = 200) -> Response:
    """`payload` as the JSON answer `jsonify` would give, with this status: the same
    bytes as the app's JSON provider writes them (compact, its key order, its
    `default`, a final newline), without its per-call argument handling."""
    app = current_app._get_current_object()
    provider = app.json
    if (
        not isinstance(provider, DefaultJSONProvider)
        or provider.compact is False
        or (provider.compact is None and app.debug)
    ):
        response = provider.response(payload)  # indented, or another provider's rules
        response.status_code = status
        return response
    body = json.dumps(
        payload,
        default=provider.default,
        ensure_ascii=provider.ensure_ascii,
        sort_keys=provider.sort_keys,
        separators=(",", ":"),
    )
    return app.response_class(body + "\n", status=status, mimetype=provider.mimetype)


def compile_schema(schema: Schema | type[Schema]) -> Callable[[Mapping], dict]:
    """A function giving `schema.dump(raw)` for a dict `raw` keyed by field names."""
    schema = schema() if isinstance(schema, type) else schema
    plan: list[tuple[str, str, Converter | None]] = []
    for name, field in schema.dump_fields.items():
        if field.attribute not in (None, name):
            raise TypeError(f"{type(schema).__name__}.{name}: compiled schemas read keys as is")
        plan.append((name, field.data_key or name, _converter(field)))
    missing = object()

    def dump(raw: Mapping) -> dict:
        out = {}
        for name, key, convert in plan:
            value = raw.get(name, missing)
            if value is missing:
                continue  # as marshmallow: a key the dict lacks is left out
            out[key] = value if convert is None else convert(value)
        return out

    return dump


def _converter(field: fields.Field) -> Converter | None:
    """None when the value is dumped as it is."""
    if isinstance(field, LocalDateTime):
        return local_time
    if isinstance(field, fields.DateTime):
        raise TypeError("a plain DateTime field: use LocalDateTime")
    if isinstance(field, fields.Date):
        return _iso_day
    if isinstance(field, fields.Nested):
        if field.many:
            raise TypeError("Nested(many=True): use List(Nested(...))")
        nested = compile_schema(field.schema)
        return lambda value: None if value is None else nested(value)
    if isinstance(field, fields.List):
        inner = _converter(field.inner)
        if inner is None:
            return lambda value: None if value is None else list(value)
        return lambda value: None if value is None else [inner(item) for item in value]
    if isinstance(field, _AS_IS):
        return None
    raise TypeError(f"no compiled form for {type(field).__name__}")
