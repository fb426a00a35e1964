"""The issue lifecycle in one place: which action moves which status where, and who may.

    submitted ─accept→ accepted ─refer→ referred (─refer→ referred: new date)
        │                 │ ╲              │
        │                 │  ╲─resolve─→ resolved ←─resolve─╯
        │                 │               │  ╲─confirm→ closed (also by itself after 7 days)
        │                 │               ╰─reopen→ accepted (within 7 days)
        ╰──────┬──────────╯
               ├─reject→ rejected
               ╰─mark_duplicate→ duplicate

A "handler" is the issue's unit liaison, building lead or a committee member; the
"reporter" is whoever reported it (or the liaison who filed it for them).
"""

from __future__ import annotations

from dataclasses import dataclass

from server.errors import Conflict, Forbidden
from server.labels import label

HANDLER = "handler"
REPORTER = "reporter"
REOPEN_DAYS = 7
AUTO_CLOSE_DAYS = 7


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    actor: str


TRANSITIONS: dict[str, Transition] = {
    "accept": Transition(frozenset({"submitted"}), "accepted", HANDLER),
    # From "referred" too: a handler updates the body or moves the follow-up date.
    "refer": Transition(frozenset({"accepted", "referred"}), "referred", HANDLER),
    "resolve": Transition(frozenset({"accepted", "referred"}), "resolved", HANDLER),
    "confirm": Transition(frozenset({"resolved"}), "closed", REPORTER),
    "reopen": Transition(frozenset({"resolved"}), "accepted", REPORTER),
    "reject": Transition(frozenset({"submitted", "accepted"}), "rejected", HANDLER),
    "mark_duplicate": Transition(frozenset({"submitted", "accepted"}), "duplicate", HANDLER),
}
# Moves the system makes by itself (jobs), never offered to a caller.
SYSTEM_TRANSITIONS: dict[str, Transition] = {
    "auto_close": Transition(frozenset({"resolved"}), "closed", "system"),
    "return_visit_reopen": Transition(frozenset({"closed"}), "accepted", "system"),
}
ACTIONS = tuple(TRANSITIONS)

_WHO = {HANDLER: "本单元联络人、楼栋长或业委会成员", REPORTER: "报事人（或代报的联络人）"}


def plan(action: str, status: str, capacities: set[str]) -> str:
    """The status `action` leads to from `status` for someone acting in `capacities`
    ({"handler", "reporter"}). Raises Forbidden (wrong person) before Conflict (wrong state).
    """
    transition = TRANSITIONS[action]
    if transition.actor not in capacities:
        raise Forbidden(
            f"只有{_WHO[transition.actor]}可以{label('issue_event', action)}",
            code="action_not_allowed",
        )
    if status not in transition.sources:
        raise Conflict(
            f"事项当前为「{label('issue_status', status)}」，不能{label('issue_event', action)}",
            code="invalid_transition",
        )
    return transition.target


def plan_system(action: str, status: str) -> str | None:
    """The target of a system move, or None when the issue is no longer in a source state."""
    transition = SYSTEM_TRANSITIONS[action]
    return transition.target if status in transition.sources else None


def allowed_actions(status: str, capacities: set[str]) -> list[str]:
    """What the caller could do now (the client shows these buttons)."""
    return [
        action for action, t in TRANSITIONS.items() if t.actor in capacities and status in t.sources
    ]
