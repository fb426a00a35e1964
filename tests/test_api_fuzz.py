"""Property-based fuzzing of the whole API from its own OpenAPI document (schemathesis,
in-process): no 5xx, and no response that breaks the documented schema, for a
resident and for a committee member."""

from __future__ import annotations

import json
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import build_world

MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
# What the API promises: no 5xx, and every answer as documented (status, type, body).
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_schema(app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def world(db_session):
    return build_world("fz")


FUZZ = settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.mark.slow
@schema.parametrize()
@FUZZ
def test_as_a_resident(case, world):
    case.call_and_validate(headers=world.headers("resident_1_1"), checks=CHECKS)


@pytest.mark.slow
@schema.parametrize()
@FUZZ
def test_as_a_committee_member(case, world):
    case.call_and_validate(headers=world.headers("committee"), checks=CHECKS)


# ----- lone surrogates ("\ud800"): valid JSON, but no text UTF-8 or a database can hold -----

UNREADABLE = "包含无法识别的字符，请删除后重新输入"


@pytest.fixture
def body_schema(app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return schema.include(method=["POST", "PUT", "PATCH"])


bodies = schemathesis.pytest.from_fixture("body_schema")


def with_lone_surrogates(value):
    """Every string in a JSON value with half a surrogate pair appended; an object
    with no string at all gets a key that is one."""
    if isinstance(value, str):
        return value + "\ud800"
    if isinstance(value, list):
        return [with_lone_surrogates(item) for item in value]
    if isinstance(value, dict):
        changed = {key: with_lone_surrogates(item) for key, item in value.items()}
        return changed if changed != value else {**value, "\udfff": 1}
    return value


@pytest.mark.slow
@bodies.parametrize()
@FUZZ
def test_lone_surrogates_in_any_body_are_a_400(case, world, client):
    """Sent by the Flask client: schemathesis itself cannot encode such a body."""
    if "json" not in (case.media_type or "") or case.body is None:
        return  # a photo upload (multipart): no JSON text to carry them
    body = with_lone_surrogates(case.body)
    if body == case.body:
        return  # a bare number or boolean
    response = client.open(
        case.formatted_path,
        method=case.method,
        query_string=case.query or None,
        data=json.dumps(body),  # "\ud800" escaped, as any client sends it
        content_type="application/json",
        headers=world.headers("committee"),
    )
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.get_json()["message"] == UNREADABLE
