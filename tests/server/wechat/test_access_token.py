"""The access token: one shared, expiring copy for every worker and the scheduler."""

from __future__ import annotations

from datetime import timedelta

from freezegun import freeze_time

from server.extensions import db
from server.wechat.client import StableTokenClient
from server.wechat.storage import DatabaseStorage
from tests.helpers import together


def make_client(app, sandbox) -> StableTokenClient:
    """What each gunicorn worker or the scheduler builds for itself."""
    return StableTokenClient(
        app.config["WECHAT_APPID"],
        app.config["WECHAT_SECRET"],
        api_base=sandbox.url,
        storage=DatabaseStorage(db.engine),
        timeout=2,
    )


def test_storage_get_set_delete_and_expiry(committed_db):
    storage = DatabaseStorage(db.engine)
    assert storage.get("k", "default") == "default"
    storage.set("k", {"a": 1}, ttl=3600)
    assert storage.get("k") == {"a": 1}
    storage.set("k", "replaced", ttl=3600)
    assert storage.get("k") == "replaced"
    with freeze_time(timedelta(seconds=3600 - 59), tick=True):  # inside the safety margin
        assert storage.get("k") is None
    storage.set("forever", "v")
    assert storage.get("forever") == "v"
    storage.delete("k")
    assert storage.get("k", "gone") == "gone"


def test_two_workers_share_one_stable_token(app, sandbox, committed_db):
    first, second = make_client(app, sandbox), make_client(app, sandbox)
    token = first.access_token
    assert token.startswith("SANDBOX_")
    assert second.access_token == token
    assert sandbox.state.fetches == {"stable_token": 1, "token": 0}


def test_concurrent_workers_fetch_once(app, sandbox, committed_db):
    clients = [make_client(app, sandbox) for _ in range(6)]
    tokens, errors = together(app, [lambda c=c: c.access_token for c in clients])
    assert errors == []
    assert None not in tokens
    assert len(set(tokens)) == 1
    assert sandbox.state.fetches["stable_token"] == 1


def test_an_expired_token_is_fetched_again_by_a_fresh_process(app, sandbox, committed_db):
    first = make_client(app, sandbox)
    old = first.access_token
    # The stored copy outlives no process: after expiry a new process must refetch.
    with freeze_time(timedelta(seconds=7200), tick=True):
        fresh = make_client(app, sandbox)
        new = fresh.access_token
    assert new != old
    assert sandbox.state.fetches["stable_token"] == 2
