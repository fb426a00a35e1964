"""A view that lost a deadlock runs again, as a client would after a 503, unless
something of its first run may have counted."""

from __future__ import annotations

import pytest
from flask import g
from sqlalchemy.exc import OperationalError

from server.database import replay


class _Deadlock(Exception):
    def __init__(self):
        super().__init__(1213, "Deadlock found when trying to get lock; try restarting transaction")


def deadlock() -> OperationalError:
    return OperationalError("UPDATE bills SET status=%s", {}, _Deadlock())


@pytest.fixture
def request_context(app, monkeypatch):
    monkeypatch.setattr(replay.time, "sleep", lambda _seconds: None)
    with app.test_request_context("/api/v1/x", method="POST", json={"a": 1}):
        yield


def failing(times: int, *, commit_first=False, outside_first=False):
    calls = []

    def view():
        calls.append(1)
        if len(calls) <= times:
            if commit_first:
                g.database_commit_sent = True
            if outside_first:
                g.outside_call_made = True
            raise deadlock()
        return "done"

    return view, calls


def test_a_view_that_lost_a_deadlock_runs_again_and_answers(request_context):
    view, calls = failing(2)
    assert replay.dispatch_retrying_lost_connection(view) == "done"
    assert len(calls) == 3


def test_a_view_that_keeps_losing_gives_up_after_the_replays(request_context):
    view, calls = failing(replay.BUSY_REPLAYS + 1)
    with pytest.raises(OperationalError):
        replay.dispatch_retrying_lost_connection(view)
    assert len(calls) == replay.BUSY_REPLAYS + 1


@pytest.mark.parametrize("flag", ["commit_first", "outside_first"])
def test_a_view_whose_first_run_may_have_counted_is_never_run_again(request_context, flag):
    view, calls = failing(1, **{flag: True})
    with pytest.raises(OperationalError):
        replay.dispatch_retrying_lost_connection(view)
    assert len(calls) == 1


def test_an_upload_is_never_run_again(app, monkeypatch):
    monkeypatch.setattr(replay.time, "sleep", lambda _seconds: None)
    view, calls = failing(1)
    with (
        app.test_request_context(
            "/api/v1/uploads", method="POST", data={"f": "x"}, content_type="multipart/form-data"
        ),
        pytest.raises(OperationalError),
    ):
        replay.dispatch_retrying_lost_connection(view)
    assert len(calls) == 1


def test_a_replay_counts_no_second_hit_against_a_rate_limit(app, client, db_session, monkeypatch):
    """A binding request that lost a deadlock once is answered, not refused with 429
    because its own replay counted a second hit of a 1-an-hour limit."""
    from server.services.people import bindings
    from tests.factories import build_world

    world = build_world("aa")
    db_session.commit()  # as in production: a replay starts a fresh transaction
    monkeypatch.setattr(replay.time, "sleep", lambda _seconds: None)
    monkeypatch.setitem(app.config, "BINDING_RATE", "1/hour")
    real, runs = bindings.request_binding, []

    def loses_a_deadlock_once(*args, **kwargs):
        runs.append(1)
        if len(runs) == 1:
            raise deadlock()
        return real(*args, **kwargs)

    monkeypatch.setattr(bindings, "request_binding", loses_a_deadlock_once)
    body = {"compound": "aa", "building": 1, "unit": 1, "room": "102", "name": "赵大妈"}
    first = client.post(
        "/api/v1/bindings", json={**body, "relation": "owner"}, headers=world.headers("outsider")
    )
    assert first.status_code == 201, first.get_json()
    assert len(runs) == 2
    # The limit still holds: the first run's hit counted.
    again = client.post(
        "/api/v1/bindings", json={**body, "relation": "tenant"}, headers=world.headers("outsider")
    )
    assert again.status_code == 429


def test_a_limit_checked_inside_a_use_case_counts_no_hit_for_a_replay(app):
    from flask import g

    from server.errors import TooManyRequests
    from server.ratelimit import throttle

    with app.test_request_context("/api/v1/invites/redeem", method="POST"):
        throttle("replay-test", "1/hour", "someone")
        g.replaying = True
        throttle("replay-test", "1/hour", "someone")  # the same request's replay
        g.replaying = False
        with pytest.raises(TooManyRequests):
            throttle("replay-test", "1/hour", "someone")
