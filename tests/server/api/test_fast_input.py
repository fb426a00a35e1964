"""`@query_input` (server/api/fast_input.py): a request with no query string gets what
webargs would have parsed from it, without webargs; any query string is parsed and
checked as before."""

from __future__ import annotations

import pytest
from apiflask import APIBlueprint, APIFlask

from server.api.fast_input import query_input
from server.api.schemas.issues import IssueQuery
from server.api.schemas.money import BillQuery, HouseholdQuery
from server.services.money import fees
from tests.factories import build_world, self_governance_fee


@pytest.fixture
def world(db_session):
    world = build_world("fi")
    self_governance_fee(world.compound)
    fees.generate_bills("2026-11", "fi")
    return world


@pytest.fixture
def echo():
    """A bare app whose views answer what they were given."""
    app = APIFlask(__name__)
    app.config["VALIDATION_ERROR_STATUS_CODE"] = 400
    bp = APIBlueprint("echo", __name__)

    @bp.get("/issues")
    @query_input(bp, IssueQuery, arg_name="query")
    def issues(query):
        query["changed"] = True  # the view may change what it was given
        return query

    @bp.get("/bills")
    @query_input(bp, BillQuery, arg_name="query")
    def bills(query):
        return query

    @bp.get("/household")
    @query_input(bp, HouseholdQuery, arg_name="query")
    def household(query):
        return query

    app.register_blueprint(bp)
    return app.test_client()


def test_no_query_string_gives_what_webargs_gives_for_an_empty_one(echo):
    for url in ("/issues", "/bills"):  # an unknown parameter is left out: parsed by webargs
        assert echo.get(url).get_json() == echo.get(url + "?unknown=1").get_json()
    assert echo.get("/issues").get_json() == {
        "mine": False,
        "handled": False,
        "limit": 20,
        "changed": True,
    }
    assert echo.get("/issues").get_json()["limit"] == 20  # a fresh dict every time
    assert echo.get("/bills").get_json() == {}


def test_a_query_string_is_parsed_and_checked_as_before(echo):
    assert echo.get("/issues?limit=5&status=submitted").get_json()["limit"] == 5
    assert echo.get("/issues?limit=0").status_code == 400
    assert echo.get("/bills?household_id=abc").status_code == 400
    assert echo.get("/bills?household_id=7").get_json() == {"household_id": 7}


def test_a_required_parameter_is_still_required_without_a_query_string(echo):
    assert echo.get("/household").status_code == 400


def test_the_hot_reads_answer_the_same_with_or_without_an_empty_query(client, world):
    headers = world.headers("resident_1_1")
    for url in ("/api/v1/bills", "/api/v1/issues"):
        bare = client.get(url, headers=headers)
        parsed = client.get(url + "?unknown=1", headers=headers)  # through webargs
        assert bare.status_code == 200
        assert bare.get_data() == parsed.get_data()
    wrong = client.get("/api/v1/issues?limit=99", headers=headers)
    assert wrong.status_code == 400
    assert wrong.get_json()["code"] == "validation_error"
