"""Owners' decisions in tests, before the proposals API exists in this branch: a
proposal put straight into voting (rows and `roll.freeze`, as POST open does), owners
bound to flats, ballots cast over HTTP, and a vote whose closing time has come.

Shared by the ballot, paper ballot, result and closing-job tests (no test module imports
another)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from server.clock import utcnow
from server.extensions import db
from server.models import Household, Proposal, ProposalVersion
from server.models.decisions import DEFAULT_OPTIONS
from server.services.decisions import roll
from tests.factories import World, add_person


def voting_proposal(
    world: World,
    *,
    matter: int = 9,
    options: list[dict] | None = None,
    effect: dict | None = None,
    closes_in: timedelta = timedelta(days=3),
    who: str = "committee",
    title: str = "加装电梯方案",
) -> int:
    """A proposal of `world` drafted by `who`, published a week ago and opened for voting
    now (its roll frozen), closing `closes_in` from now; its id."""
    now = utcnow()
    author = world.user_ids[who]
    options = options or [dict(o) for o in DEFAULT_OPTIONS]
    proposal = Proposal(
        compound_id=world.compound.id,
        title=title,
        body="方案全文见附件。",
        matter=matter,
        options=options,
        effect=effect,
        status="voting",
        version=1,
        created_by_id=author,
        created_at=now - timedelta(days=8),
        published_at=now - timedelta(days=7),
        published_by_id=author,
        notice_ends_at=now - timedelta(minutes=1),
        opened_at=now,
        opened_by_id=author,
        closes_at=now + closes_in,
    )
    db.session.add(proposal)
    db.session.flush()
    db.session.add(
        ProposalVersion(
            proposal_id=proposal.id,
            version=1,
            title=title,
            body=proposal.body,
            options=options,
            effect=effect,
            created_by_id=author,
            created_at=proposal.created_at,
        )
    )
    proposal.eligible_area_m2, proposal.eligible_heads = roll.freeze(proposal)
    db.session.flush()
    return proposal.id


def set_areas(world: World, areas: dict[str, str]) -> None:
    """Flats' registered floor areas ("1-1-101": "120.00"), before voting opens."""
    for label, area in areas.items():
        db.session.get(Household, world.household_ids[label]).area_m2 = Decimal(area)
    db.session.flush()


def owner(world: World, label: str) -> str:
    """The key of an owner of flat `label` bound in the app (made when missing)."""
    key = f"owner_{label}"
    if key not in world.people:
        if label == "1-1-101":
            return "resident_1_1"
        if label == "1-2-101":
            return "resident_1_2"
        add_person(
            world, key, "resident", world.households[label], relation="owner", name=f"业主{label}"
        )
    return key


def vote(
    client: FlaskClient, world: World, proposal_id: int, label: str, choice: str, who=None
) -> TestResponse:
    """The owner of `label` (or `who`) votes `choice` for that flat in the app."""
    return client.post(
        f"/api/v1/proposals/{proposal_id}/ballots",
        json={"household_id": world.household_ids[label], "choice": choice},
        headers=world.fresh_headers(who or owner(world, label)),
    )


def voted(
    client: FlaskClient, world: World, proposal_id: int, label: str, choice: str, who=None
) -> dict:
    """`vote`, which must be counted (200); the receipt and the rest."""
    response = vote(client, world, proposal_id, label, choice, who)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def make_due(proposal_id: int) -> None:
    """The vote's closing time has come (a second ago)."""
    db.session.get(Proposal, proposal_id).closes_at = utcnow() - timedelta(seconds=1)
    db.session.flush()


def closed(client: FlaskClient, world: World, proposal_id: int, who="committee") -> dict:
    """The committee closes a due vote (must succeed); the response."""
    make_due(proposal_id)
    response = client.post(
        f"/api/v1/proposals/{proposal_id}/close", headers=world.fresh_headers(who)
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def result_of(client: FlaskClient, world: World, proposal_id: int, who="resident_1_1") -> dict:
    response = client.get(
        f"/api/v1/proposals/{proposal_id}/result", headers=world.fresh_headers(who)
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def record_paper(
    client: FlaskClient,
    world: World,
    proposal_id: int,
    label: str,
    choice: str,
    photo: int,
    who="liaison_1_1",
    proxy: bool = False,
) -> TestResponse:
    """`who` records the paper ballot of flat `label` with the photo `photo`."""
    return client.post(
        f"/api/v1/proposals/{proposal_id}/paper-ballots",
        json={
            "household_id": world.household_ids[label],
            "choice": choice,
            "photo": photo,
            "proxy": proxy,
        },
        headers=world.fresh_headers(who),
    )
