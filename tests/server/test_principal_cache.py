"""The caller's user and roles kept per worker for seconds (principal_cache.py): a
change made in this process counts on the next request; one made elsewhere (another
worker) within PRINCIPAL_CACHE_SECONDS; never one user's roles for another."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import event, select, update

from server.extensions import db
from server.models import Membership, User
from server.services.people import principal_cache
from tests.factories import add_person, build_world

TTL = 5.0


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(app, committed_db, monkeypatch):
    """The cache on (as in production), its clock in the test's hand; every request in
    an app context and session of its own (committed_db)."""
    moved = Clock()
    monkeypatch.setattr(principal_cache, "clock", moved)
    monkeypatch.setitem(app.config, "PRINCIPAL_CACHE_SECONDS", TTL)
    app.extensions.pop(principal_cache.EXTENSION, None)
    yield moved
    app.extensions.pop(principal_cache.EXTENSION, None)


@pytest.fixture
def world(clock):
    world = build_world("pc")
    add_person(world, "newcomer", None)
    db.session.commit()
    return world


def people(client, world, who):
    return client.get("/api/v1/compounds/pc/people", headers=world.headers(who))


def cached_users(app) -> int:
    return len(app.extensions[principal_cache.EXTENSION])


def test_a_role_granted_through_the_api_counts_on_the_next_request(app, world):
    client = app.test_client()
    assert people(client, world, "newcomer").status_code == 404  # in no compound: cached
    made = client.post(
        "/api/v1/compounds/pc/role-invites",
        json={"role": "committee", "name": "新委员"},
        headers=world.headers("committee"),
    )
    assert made.status_code == 201, made.get_json()
    redeemed = client.post(
        "/api/v1/role-invites/redeem",
        json={"code": made.get_json()["code"]},
        headers=world.headers("newcomer"),
    )
    assert redeemed.status_code == 200, redeemed.get_json()
    assert people(client, world, "newcomer").status_code == 200  # no clock moved


def test_a_role_revoked_through_the_api_counts_on_the_next_request(app, world):
    client = app.test_client()
    assert people(client, world, "committee_2").status_code == 200  # cached
    mid = db.session.scalar(
        select(Membership.id).where(
            Membership.user_id == world.user_ids["committee_2"], Membership.role == "committee"
        )
    )
    db.session.commit()
    revoked = client.post(
        f"/api/v1/compounds/pc/memberships/{mid}/revoke",
        json={"reason": "搬家离开小区"},
        headers=world.headers("committee"),
    )
    assert revoked.status_code == 200, revoked.get_json()
    assert people(client, world, "committee_2").status_code == 404


def test_a_change_made_by_another_worker_counts_within_the_ttl(app, world, clock):
    client = app.test_client()
    assert people(client, world, "committee_2").status_code == 200  # cached
    # Another worker process disables the user and takes the role: nothing here sees it.
    with db.engine.begin() as other_worker:
        other_worker.execute(
            update(User).where(User.id == world.user_ids["committee_2"]).values(is_active=False)
        )
        other_worker.execute(
            update(Membership)
            .where(Membership.user_id == world.user_ids["committee_2"])
            .values(role="resident")
        )
    clock.now += TTL - 0.5
    assert people(client, world, "committee_2").status_code == 200  # within the TTL: stale
    clock.now += 1.0
    gone = people(client, world, "committee_2")
    assert gone.status_code == 401  # a disabled user is no longer served from the cache
    assert gone.get_json()["code"] == "token_invalid"


def test_the_cache_never_gives_one_user_anothers_roles(app, world):
    other = build_world("pd")
    db.session.commit()
    client = app.test_client()
    for _round in range(2):  # the second round from the cache
        assert people(client, world, "committee").status_code == 200
        assert people(client, other, "committee").status_code == 404  # pc is not theirs
        assert people(client, world, "liaison_1_1").status_code == 403
        pd = client.get("/api/v1/compounds/pd/people", headers=other.headers("committee"))
        assert pd.status_code == 200
        pd_by_pc = client.get("/api/v1/compounds/pd/people", headers=world.headers("committee"))
        assert pd_by_pc.status_code == 404
    assert cached_users(app) == 3


def test_a_cached_request_sends_one_statement_less(app, world):
    client = app.test_client()
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        client.get("/api/v1/bills", headers=world.headers("resident_1_1"))  # fills it
        loaded = len(statements)
        statements.clear()
        reply = client.get("/api/v1/bills", headers=world.headers("resident_1_1"))
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert reply.status_code == 200
    assert len(statements) == loaded - 1
    assert not any("FROM users" in s for s in statements)


def test_a_write_through_the_cached_user_is_saved_and_seen_next(app, world):
    client = app.test_client()
    headers = world.headers("liaison_1_1")
    assert client.get("/api/v1/me", headers=headers).get_json()["shared_phone"] is None
    shared = client.put("/api/v1/me/shared-phone", json={"phone": "13812345678"}, headers=headers)
    assert shared.status_code == 200, shared.get_json()
    assert client.get("/api/v1/me", headers=headers).get_json()["shared_phone"] == "13812345678"
    assert (
        db.session.scalar(select(User.shared_phone).where(User.id == world.user_ids["liaison_1_1"]))
        == "13812345678"
    )


def test_off_when_the_setting_is_zero(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "PRINCIPAL_CACHE_SECONDS", 0)
    app.extensions.pop(principal_cache.EXTENSION, None)
    client = app.test_client()
    assert people(client, world, "committee").status_code == 200
    assert principal_cache.EXTENSION not in app.extensions


def test_threads_sharing_the_cache_each_get_their_own_roles(app, world):
    """gunicorn's gthread worker: four threads on one cache, each caller answered by
    their own roles every time."""
    expected = {"committee": 200, "committee_2": 200, "liaison_1_1": 403, "outsider": 404}
    seen: list[tuple[str, int]] = []

    def ask(who: str) -> None:
        client = app.test_client()
        for _ in range(15):
            seen.append((who, people(client, world, who).status_code))

    threads = [threading.Thread(target=ask, args=(who,)) for who in expected]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 60
    assert {(who, status) for who, status in seen} == set(expected.items())


def test_expired_entries_do_not_pile_up(app, world, clock, monkeypatch):
    monkeypatch.setattr(principal_cache, "SWEEP_AT", 2)
    app.extensions.pop(principal_cache.EXTENSION, None)
    client = app.test_client()
    for who in ("committee", "committee_2", "liaison_1_1", "liaison_1_2", "lead_1"):
        client.get("/api/v1/me", headers=world.headers(who))
    assert cached_users(app) == 5  # swept at the third, none expired; next past 6
    clock.now += TTL + 1
    for who in ("supervisor", "resident_1_1"):
        client.get("/api/v1/me", headers=world.headers(who))
    assert cached_users(app) == 2  # the five expired ones are gone
