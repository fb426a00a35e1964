"""The lifecycle table, checked exhaustively against the rules as the issue states them."""

from __future__ import annotations

import itertools

import pytest

from server.errors import Conflict, Forbidden
from server.models.issue import STATUSES
from server.services.issues.states import ACTIONS, allowed_actions, plan, plan_system

# Written from the specification, independently of the implementation's table.
MOVES = {
    ("submitted", "accept"): "accepted",
    ("accepted", "refer"): "referred",
    ("referred", "refer"): "referred",  # beyond the brief: move the follow-up date
    ("accepted", "resolve"): "resolved",
    ("referred", "resolve"): "resolved",
    ("resolved", "confirm"): "closed",
    ("resolved", "reopen"): "accepted",
    ("submitted", "reject"): "rejected",
    ("accepted", "reject"): "rejected",
    ("submitted", "mark_duplicate"): "duplicate",
    ("accepted", "mark_duplicate"): "duplicate",
}
WHO = {
    "accept": "handler",
    "refer": "handler",
    "resolve": "handler",
    "reject": "handler",
    "mark_duplicate": "handler",
    "confirm": "reporter",
    "reopen": "reporter",
}
CAPACITIES = [set(), {"handler"}, {"reporter"}, {"handler", "reporter"}]


def test_the_actions_are_exactly_the_documented_ones():
    assert set(ACTIONS) == set(WHO)


@pytest.mark.parametrize(
    ("status", "action", "capacities"),
    list(itertools.product(STATUSES, sorted(WHO), range(len(CAPACITIES)))),
)
def test_every_status_action_and_caller(status, action, capacities):
    caps = CAPACITIES[capacities]
    if WHO[action] not in caps:
        with pytest.raises(Forbidden) as refused:
            plan(action, status, caps)
        assert refused.value.status == 403
        assert refused.value.message.startswith("只有")
    elif (status, action) not in MOVES:
        with pytest.raises(Conflict) as refused:
            plan(action, status, caps)
        assert refused.value.status == 409
        assert "不能" in refused.value.message
    else:
        assert plan(action, status, caps) == MOVES[(status, action)]


@pytest.mark.parametrize(
    ("status", "capacities"), list(itertools.product(STATUSES, range(len(CAPACITIES))))
)
def test_offered_actions_are_exactly_the_allowed_ones(status, capacities):
    caps = CAPACITIES[capacities]
    expected = [a for a in ACTIONS if WHO[a] in caps and (status, a) in MOVES]
    assert allowed_actions(status, caps) == expected


def test_terminal_states_offer_nothing():
    for status in ("closed", "rejected", "duplicate"):
        assert allowed_actions(status, {"handler", "reporter"}) == []


@pytest.mark.parametrize("status", STATUSES)
def test_system_moves(status):
    assert plan_system("auto_close", status) == ("closed" if status == "resolved" else None)
    expected = "accepted" if status == "closed" else None
    assert plan_system("return_visit_reopen", status) == expected
