"""Ids in paths: a number beyond a 64-bit id is not found (404), whatever the method."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from server import at_most

BIGGEST = 2**63 - 1


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**25))
def test_the_path_regex_takes_exactly_the_numbers_up_to_the_bound(n):
    assert bool(re.fullmatch(at_most(BIGGEST), str(n))) is (n <= BIGGEST)


def test_the_edges_of_the_bound():
    for n, fits in ((BIGGEST, True), (BIGGEST + 1, False), (BIGGEST - 9, True), (10**19, False)):
        assert bool(re.fullmatch(at_most(BIGGEST), str(n))) is fits
    assert re.fullmatch(at_most(7), "7")
    assert not re.fullmatch(at_most(7), "8")


def test_a_huge_id_is_404_on_a_path_another_method_also_serves(client, db_session):
    # POST …/paper-ballots is registered before GET: werkzeug used to answer GET with 405.
    huge = "2472026289511821475840"
    for method in ("get", "post"):
        response = getattr(client, method)(f"/api/v1/proposals/{huge}/paper-ballots")
        assert response.status_code == 404, (method, response.status_code)
