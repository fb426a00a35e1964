"""Property-based fuzzing of the whole API from its own OpenAPI document (schemathesis,
in-process): no 5xx, and no response that breaks the documented schema, for a
resident and for a committee member."""

from __future__ import annotations

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
