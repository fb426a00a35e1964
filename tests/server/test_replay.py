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
