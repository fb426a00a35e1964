"""Paper ballots and written proxies (issue 12): the unit's liaison records one with a
photo of the signed paper; another volunteer confirms it and only then does it count
(replacing an app ballot of the flat), the flat's owners in the app are told the
receipt; the roll shows volunteers who voted, never how."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from server.errors import Conflict
from server.extensions import db
from server.models import Ballot
from server.services.decisions import paper_ballots
from server.services.people.access import load_principal
from tests.decisions_helpers import (
    closed,
    make_due,
    owner,
    record_paper,
    result_of,
    voted,
    voting_proposal,
)
from tests.factories import build_world
from tests.helpers import inbox
from tests.steps import uploaded_id


@pytest.fixture
def world(db_session, photo_storage):
    return build_world("pb")


def recorded(client, world, pid, label="1-1-102", choice="yes", who="liaison_1_1", **kw) -> dict:
    photo = uploaded_id(client, world, who=who)
    response = record_paper(client, world, pid, label, choice, photo, who=who, **kw)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def step(client, world, ballot_id, who, action="confirm", **body):
    return client.post(
        f"/api/v1/paper-ballots/{ballot_id}/{action}", json=body, headers=world.fresh_headers(who)
    )


def listing(client, world, pid, who, **query):
    return client.get(
        f"/api/v1/proposals/{pid}/paper-ballots",
        query_string=query,
        headers=world.fresh_headers(who),
    )


def test_a_liaison_records_and_another_volunteer_confirms(client, world):
    pid = voting_proposal(world)
    flat_owner = owner(world, "1-1-102")
    paper = recorded(client, world, pid)
    assert paper["status"] == "pending"
    assert (paper["household_label"], paper["choice"], paper["channel"]) == (
        "1-1-102",
        "yes",
        "paper",
    )
    assert result_shows_no_vote_yet(client, world, pid)
    same = step(client, world, paper["id"], "liaison_1_1")
    assert (same.status_code, same.get_json()["code"]) == (403, "same_person")
    confirmed = step(client, world, paper["id"], "liaison_1_2")
    assert confirmed.status_code == 200, confirmed.get_json()
    shown = confirmed.get_json()
    assert shown["status"] == "counted"
    assert shown["receipt"] is None  # the flat's owners are told it, not the volunteer
    receipt = db.session.get(Ballot, paper["id"]).receipt
    assert len(receipt) == 10
    told = inbox(world.user_ids[flat_owner])
    assert told[-1].kind == "paper_ballot"
    assert receipt in told[-1].body
    assert "同意" in told[-1].body
    assert told[-1].page == f"pages/proposal/index?id={pid}"
    again = step(client, world, paper["id"], "committee")
    assert (again.status_code, again.get_json()["code"]) == (409, "ballot_state")
    result = result_of(client, world, pid, who=flat_owner) if closed(client, world, pid) else None
    assert result["my_receipts"] == [receipt]
    assert result["participating_heads"] == 1


def result_shows_no_vote_yet(client, world, pid) -> bool:
    roll = client.get(f"/api/v1/proposals/{pid}/roll", headers=world.fresh_headers("liaison_1_1"))
    line = next(i for i in roll.get_json()["items"] if i["label"] == "1-1-102")
    return line == {
        "household_id": world.household_ids["1-1-102"],
        "label": "1-1-102",
        "area_m2": "72.36",
        "voted": False,
        "pending_paper": True,
    }


def test_a_confirmed_paper_ballot_replaces_the_app_ballot(client, world):
    pid = voting_proposal(world)
    app_ballot = voted(client, world, pid, "1-1-101", "no")
    paper = recorded(client, world, pid, "1-1-101", "yes", proxy=True)
    assert paper["channel"] == "proxy"
    assert step(client, world, paper["id"], "lead_1").status_code == 200
    found = list(
        db.session.scalars(select(Ballot).where(Ballot.proposal_id == pid).order_by(Ballot.id))
    )
    assert [(b.channel, b.status, b.choice) for b in found] == [
        ("app", "replaced", "no"),
        ("proxy", "counted", "yes"),
    ]
    result = result_of(client, world, pid) if closed(client, world, pid) else None
    assert app_ballot["receipt"] not in [b["receipt"] for b in result["ballots"]]


def test_an_app_ballot_cast_after_the_paper_was_recorded_wins(client, world):
    pid = voting_proposal(world)
    paper = recorded(client, world, pid, "1-1-101", "yes")
    app_ballot = voted(client, world, pid, "1-1-101", "no")
    refused = step(client, world, paper["id"], "liaison_1_2")
    assert (refused.status_code, refused.get_json()["code"]) == (409, "newer_ballot")
    assert "以业主自己的投票为准" in refused.get_json()["message"]
    found = list(
        db.session.scalars(select(Ballot).where(Ballot.proposal_id == pid).order_by(Ballot.id))
    )
    assert [(b.channel, b.status, b.choice) for b in found] == [
        ("paper", "rejected", "yes"),
        ("app", "counted", "no"),
    ]
    result = result_of(client, world, pid) if closed(client, world, pid) else None
    assert [b["receipt"] for b in result["ballots"]] == [app_ballot["receipt"]]


def test_only_the_flats_volunteers_record(client, world):
    pid = voting_proposal(world)
    for who in ("liaison_1_2", "resident_1_1", "supervisor"):
        photo = uploaded_id(client, world, who=who)
        refused = record_paper(client, world, pid, "1-1-102", "yes", photo, who=who)
        assert refused.status_code == 403, who
    assert recorded(client, world, pid, who="lead_1")["status"] == "pending"
    assert recorded(client, world, pid, "1-2-102", who="committee")["status"] == "pending"


def test_the_photo_must_be_the_recorders_fresh_upload(client, world):
    pid = voting_proposal(world)
    someone_elses = uploaded_id(client, world, who="liaison_1_2")
    refused = record_paper(client, world, pid, "1-1-102", "yes", someone_elses)
    assert (refused.status_code, refused.get_json()["code"]) == (400, "photo_invalid")
    assert db.session.scalars(select(Ballot)).first() is None


def test_volunteers_see_the_photo_residents_do_not(client, world):
    pid = voting_proposal(world)
    paper = recorded(client, world, pid)
    photo = paper["photo"]
    for who in ("liaison_1_2", "lead_1", "committee", "supervisor"):
        seen = client.get(f"/api/v1/uploads/{photo}", headers=world.fresh_headers(who))
        assert seen.status_code == 200, who
    hidden = client.get(f"/api/v1/uploads/{photo}", headers=world.fresh_headers("resident_1_1"))
    assert hidden.status_code == 404


def test_the_list_shows_what_a_volunteer_may_confirm_and_their_own(client, world):
    pid = voting_proposal(world)
    mine = recorded(client, world, pid)
    theirs = recorded(client, world, pid, "1-2-102", who="liaison_1_2")
    assert step(client, world, theirs["id"], "committee").status_code == 200
    items = listing(client, world, pid, "liaison_1_1").get_json()["items"]
    assert [(i["id"], i["mine"], i["status"]) for i in items] == [(mine["id"], True, "pending")]
    items = listing(client, world, pid, "liaison_1_2").get_json()["items"]
    assert [(i["id"], i["mine"]) for i in items] == [(mine["id"], False), (theirs["id"], True)]
    assert items[0]["recorded_by"]
    assert items[0]["choice_label"] == "同意"
    pending = listing(client, world, pid, "committee", status="pending").get_json()["items"]
    assert [i["id"] for i in pending] == [mine["id"]]
    refused = listing(client, world, pid, "resident_1_1")
    assert (refused.status_code, refused.get_json()["code"]) == (403, "volunteers_only")


def test_a_rejected_paper_ballot_does_not_count(client, world):
    pid = voting_proposal(world)
    paper = recorded(client, world, pid)
    rejected = step(client, world, paper["id"], "liaison_1_2", "reject", reason="没有签字")
    assert rejected.status_code == 200
    assert rejected.get_json()["status"] == "rejected"
    assert step(client, world, paper["id"], "committee").status_code == 409
    result = result_of(client, world, pid) if closed(client, world, pid) else None
    assert result["participating_heads"] == 0


def test_a_paper_ballot_pending_at_close_is_left_uncounted(client, world):
    pid = voting_proposal(world)
    paper = recorded(client, world, pid)
    make_due(pid)
    late = step(client, world, paper["id"], "liaison_1_2")
    assert (late.status_code, late.get_json()["code"]) == (409, "voting_closed")
    shown = closed(client, world, pid)
    assert shown["result"]["uncounted_paper"] == 1
    assert shown["result"]["participating_heads"] == 0


def test_the_roll_for_volunteers_never_shows_a_choice(client, world):
    pid = voting_proposal(world)
    voted(client, world, pid, "1-1-101", "no")
    recorded(client, world, pid, "1-1-201")
    roll = client.get(f"/api/v1/proposals/{pid}/roll", headers=world.fresh_headers("liaison_1_1"))
    assert roll.status_code == 200
    items = roll.get_json()["items"]
    assert [(i["label"], i["voted"], i["pending_paper"]) for i in items] == [
        ("1-1-101", True, False),
        ("1-1-102", False, False),
        ("1-1-201", False, True),
    ]
    assert "choice" not in roll.get_data(as_text=True)
    everyone = client.get(f"/api/v1/proposals/{pid}/roll", headers=world.fresh_headers("committee"))
    assert len(everyone.get_json()["items"]) == 6
    other_unit = world.units[1].id
    refused = client.get(
        f"/api/v1/proposals/{pid}/roll?unit_id={other_unit}",
        headers=world.fresh_headers("liaison_1_1"),
    )
    assert (refused.status_code, refused.get_json()["code"]) == (403, "volunteers_only")
    lead = client.get(
        f"/api/v1/proposals/{pid}/roll?unit_id={other_unit}", headers=world.fresh_headers("lead_1")
    )
    assert [i["label"] for i in lead.get_json()["items"]] == ["1-2-101", "1-2-102", "1-2-201"]
    resident = client.get(
        f"/api/v1/proposals/{pid}/roll", headers=world.fresh_headers("resident_1_1")
    )
    assert resident.status_code == 403


def test_a_paper_ballot_waiting_for_its_check_is_not_asked_for_again(client, world):
    pid = voting_proposal(world)
    flat_owner = owner(world, "1-1-102")

    def needed() -> bool:
        shown = client.get(f"/api/v1/proposals/{pid}", headers=world.fresh_headers(flat_owner))
        return shown.get_json()["my_vote_needed"]

    assert needed() is True
    recorded(client, world, pid, "1-1-102", "yes")
    assert needed() is False


@pytest.fixture
def committed_world(committed_db, photo_storage):
    world = build_world("pr")
    db.session.commit()
    return world


def test_an_app_ballot_committed_while_a_confirm_waited_for_the_lock_wins(app, committed_world):
    """A confirm reads before it locks (who is asking): on MariaDB (repeatable read) its
    snapshot may predate the owner's app ballot that held the lock and committed
    meanwhile. The owner decided last: the paper is set aside, the app ballot counts."""
    if db.engine.dialect.name == "sqlite":
        pytest.skip("SQLite's write lock serialises whole transactions")
    world = committed_world
    flat_owner = owner(world, "1-1-102")
    pid = voting_proposal(world)
    db.session.commit()
    paper = recorded(app.test_client(), world, pid)
    db.session.commit()
    db.session.scalars(select(Ballot.id)).all()  # the confirm's first read: its snapshot

    def cast():
        with app.app_context():
            return voted(app.test_client(), world, pid, "1-1-102", "no", who=flat_owner)

    with ThreadPoolExecutor(1) as pool:
        pool.submit(cast).result(timeout=60)
    with pytest.raises(Conflict) as refused:
        paper_ballots.confirm(load_principal(world.user_ids["liaison_1_2"]), paper["id"])
    assert refused.value.code == "newer_ballot"
    counted = db.session.scalars(
        select(Ballot).where(Ballot.proposal_id == pid, Ballot.status == "counted")
    ).all()
    db.session.commit()
    assert [(b.channel, b.choice) for b in counted] == [("app", "no")]


def test_of_two_paper_ballots_for_one_flat_the_later_recorded_counts(client, world):
    """Two papers for one flat (the owner signed again): the later one, confirmed first,
    counts; the earlier one is then set aside with a clear 409, not a retry loop."""
    pid = voting_proposal(world)
    first = recorded(client, world, pid, "1-1-101", "yes")
    second = recorded(client, world, pid, "1-1-101", "no", who="lead_1")
    assert step(client, world, second["id"], "liaison_1_1").status_code == 200
    refused = step(client, world, first["id"], "liaison_1_2")
    assert (refused.status_code, refused.get_json()["code"]) == (409, "newer_ballot")
    found = list(
        db.session.scalars(select(Ballot).where(Ballot.proposal_id == pid).order_by(Ballot.id))
    )
    assert [(b.status, b.choice) for b in found] == [("rejected", "yes"), ("counted", "no")]
