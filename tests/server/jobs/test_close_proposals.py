"""The job `close_due_proposals` (every 5 minutes): votes whose closing time has come
are closed as the committee's close would (closed_by NULL), once; votes still running
and archived compounds are left alone."""

from __future__ import annotations

from datetime import timedelta

import pytest

from server.clock import utcnow
from server.extensions import db
from server.jobs import JOBS
from server.jobs.tasks import close_due_proposals
from server.models import Compound, Proposal
from tests.decisions_helpers import make_due, owner, result_of, voted, voting_proposal
from tests.factories import build_world
from tests.helpers import inbox


@pytest.fixture
def world(db_session):
    return build_world("jc")


def test_the_job_is_declared_every_five_minutes():
    (job,) = [j for j in JOBS if j.name == "close_due_proposals"]
    assert (job.func, job.trigger, job.schedule) == (
        "server.jobs.tasks:close_due_proposals",
        "interval",
        {"minutes": 5},
    )


def test_the_job_closes_due_votes_once_and_leaves_running_ones(client, world):
    due = voting_proposal(world)
    running = voting_proposal(world, title="更换监控")
    for label in ("1-1-101", "1-1-102", "1-1-201", "1-2-101"):
        owner(world, label)
        voted(client, world, due, label, "yes")
    make_due(due)
    assert close_due_proposals() == 1
    assert close_due_proposals() == 0
    closed = db.session.get(Proposal, due)
    assert (closed.status, closed.closed_by_id, closed.passed) == ("closed", None, True)
    assert db.session.get(Proposal, running).status == "voting"
    result = result_of(client, world, due)
    assert (result["participating_heads"], result["passed"]) == (4, True)
    assert any(n.kind == "proposal_result" for n in inbox(world.user_ids["resident_1_2"]))


def test_the_job_waits_for_the_closing_time(client, world):
    pid = voting_proposal(world, closes_in=timedelta(minutes=4))
    assert close_due_proposals() == 0
    assert db.session.get(Proposal, pid).status == "voting"


def test_the_job_leaves_an_archived_compound_alone(client, world):
    pid = voting_proposal(world)
    make_due(pid)
    db.session.get(Compound, world.compound.id).archived_at = utcnow()
    db.session.flush()
    assert close_due_proposals() == 0
    assert db.session.get(Proposal, pid).status == "voting"
    db.session.get(Compound, world.compound.id).archived_at = None
    db.session.flush()
    assert close_due_proposals() == 1
