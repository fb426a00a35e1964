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

STATUS_LABELS = {
    "submitted": "待受理",
    "accepted": "处理中",
    "referred": "已转办",
    "resolved": "已解决",
    "closed": "已完成",
    "rejected": "不予受理",
    "duplicate": "重复事项",
}
ACTION_LABELS = {
    "submit": "提交",
    "accept": "受理",
    "refer": "转办",
    "resolve": "办结",
    "confirm": "确认",
    "reopen": "重新打开",
    "reject": "不予受理",
    "mark_duplicate": "标为重复",
    "auto_close": "自动完成",
    "escalate": "超时提醒",
    "follow_up": "转办跟进",
    "return_visit": "回访",
    "return_visit_reopen": "回访未解决",
}
_WHO = {HANDLER: "本单元联络人、楼栋长或业委会成员", REPORTER: "报事人（或代报的联络人）"}


def plan(action: str, status: str, capacities: set[str]) -> str:
    """The status `action` leads to from `status` for someone acting in `capacities`
    ({"handler", "reporter"}). Raises Forbidden (wrong person) before Conflict (wrong state).
    """
    transition = TRANSITIONS[action]
    if transition.actor not in capacities:
        raise Forbidden(
            f"只有{_WHO[transition.actor]}可以{ACTION_LABELS[action]}", code="action_not_allowed"
        )
    if status not in transition.sources:
        raise Conflict(
            f"事项当前为「{STATUS_LABELS[status]}」，不能{ACTION_LABELS[action]}",
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
