"""The benchmark district (scripts/bench/data.py) at one compound of 300 households:
its counts, the project's money rules and ledger chain, what residents and the
committee see through the API, and the same district from the same seed."""

from __future__ import annotations

import hashlib
import random
from decimal import Decimal
from itertools import pairwise

import pytest
from sqlalchemy import delete, func, select, update

from scripts.bench import data, per_compound, run
from server.extensions import db
from server.models import (
    Base,
    Bill,
    Compound,
    Household,
    Issue,
    IssueEvent,
    Membership,
    Payment,
    Unit,
    User,
)
from server.services.issues import reports
from server.services.money import ledger
from server.services.money.fees import period_fee_fen
from server.services.people import auth
from server.services.people.access import load_principal
from tests.conftest import _OwnContextClient
from tests.factories import build_world

SCALE, SEED = 0.003, 7
CHECKED = ("compounds", "households", "users", "memberships", "bills", "payments")
CHECKED += ("payment_bills", "ledger_entries", "ledger_heads", "issues", "issue_events")


def empty_tables() -> None:
    db.session.remove()
    with db.engine.begin() as conn:
        # MariaDB checks a self-reference row by row: duplicates first lose theirs.
        conn.execute(update(Issue).values(duplicate_of_id=None))
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(delete(table))


def checksum() -> str:
    """A digest of every row of the tables the generator writes, in id order."""
    digest = hashlib.sha256()
    with db.engine.connect() as conn:
        for name in CHECKED:
            table = Base.metadata.tables[name]
            for row in conn.execute(select(table).order_by(*table.primary_key.columns)):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def district(app):
    """The district, generated once for the module into the committed test database."""
    with pytest.MonkeyPatch.context() as patch, app.app_context():
        patch.setattr(app, "test_client_class", _OwnContextClient)
        empty_tables()
        counts = data.generate(db.engine, SCALE, SEED)
        yield {"counts": counts, "checksum": checksum()}
        empty_tables()


def read(statement):
    """Rows read in the test's own session, its transaction ended at once (on SQLite
    it holds the write lock); objects come detached, so nothing reloads them."""
    rows = db.session.execute(statement).all()
    db.session.expunge_all()
    db.session.commit()
    return rows


def headers_for(openid: str) -> dict:
    user = db.session.scalars(select(User).where(User.openid == openid)).one()
    token = auth.issue_token(user)[0]
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def test_one_compound_of_300_households_with_a_year_of_bills_and_3000_issues(district):
    counts = district["counts"]
    units = counts["units"]
    assert counts["compounds"] == 1
    assert counts["households"] == 300
    assert counts["users"] == counts["memberships"] == 300 + units + 3 + 1
    assert counts["bills"] == 300 * 12
    assert counts["payment_bills"] == counts["ledger_entries"] == 300 * 11
    assert counts["issues"] == 3000
    assert 3000 < counts["issue_events"] <= 5 * 3000
    for name, rows in counts.items():
        table = Base.metadata.tables[name]
        assert read(select(func.count()).select_from(table))[0][0] == rows, name
    (code,) = read(select(Compound.code))[0]
    assert code == "bd001"


def test_roles_and_openids_follow_the_naming_conventions(district):
    rows = read(select(User.openid, Membership).join(Membership, Membership.user_id == User.id))
    roles = {}
    for openid, membership in rows:
        roles.setdefault(membership.role, []).append((openid, membership))
    assert {r: len(m) for r, m in roles.items()} == {
        "resident": 300,
        "liaison": district["counts"]["units"],
        "committee": 3,
        "supervisor": 1,
    }
    assert all(o == f"bench-r-{m.household_id}" for o, m in roles["resident"])
    assert all(o == f"bench-l-{m.unit_id}" for o, m in roles["liaison"])
    assert sorted(o for o, _ in roles["committee"]) == [f"bench-c-bd001-{k}" for k in (1, 2, 3)]
    assert roles["supervisor"][0][0] == "bench-s-bd001"


def test_bills_are_the_projects_rounding_of_area_times_rate(district):
    rows = read(
        select(Bill.period, Bill.status, Bill.amount_fen, Household.area_m2).join(
            Household, Household.id == Bill.household_id
        )
    )
    assert all(amount == period_fee_fen(area, Decimal("0.35"), 1) for _, _, amount, area in rows)
    assert all(40 <= area <= 140 for *_, area in rows)
    assert {status for period, status, *_ in rows if period == "2026-11"} == {"unpaid"}
    assert {status for period, status, *_ in rows if period != "2026-11"} == {"paid"}


def test_the_ledger_chain_verifies(district):
    result = ledger.verify()
    db.session.commit()
    assert result.ok, result
    assert result.checked == 300 * 11


def test_a_resident_sees_the_unpaid_november_bill_first(app, district):
    (household_id,) = read(select(Household.id).order_by(Household.id).limit(1))[0]
    reply = app.test_client().get("/api/v1/bills", headers=headers_for(f"bench-r-{household_id}"))
    assert reply.status_code == 200, reply.json
    items = reply.json["items"]
    assert len(items) == 12
    assert (items[0]["period"], items[0]["status"]) == ("2026-11", "unpaid")
    assert reply.json["unpaid_fen"] == items[0]["amount_fen"]
    assert {item["status"] for item in items[1:]} == {"paid"}


def test_the_committee_lists_submitted_issues_of_its_compound_only(app, district):
    other = another_compound_with_a_submitted_issue()
    client, headers = app.test_client(), headers_for("bench-c-bd001-1")
    seen, cursor = [], None
    while True:
        query = {"status": "submitted", "limit": 50, **({"cursor": cursor} if cursor else {})}
        reply = client.get("/api/v1/issues", query_string=query, headers=headers)
        assert reply.status_code == 200, reply.json
        seen += reply.json["items"]
        cursor = reply.json["next_cursor"]
        if cursor is None:
            break
    expected = read(
        select(Issue.id)
        .join(Compound, Compound.id == Issue.compound_id)
        .where(Compound.code == "bd001", Issue.status == "submitted")
        .order_by(Issue.id.desc())
    )
    assert [item["id"] for item in seen] == [issue_id for (issue_id,) in expected]
    assert expected
    assert other not in {item["id"] for item in seen}
    assert {item["status"] for item in seen} == {"submitted"}
    assert all(item["latest"]["action"] in ("submit", "escalate") for item in seen)

    detail = client.get(f"/api/v1/issues/{seen[0]['id']}", headers=headers)
    assert detail.status_code == 200, detail.json
    assert detail.json["timeline"][0]["action"] == "submit"
    assert "accept" in detail.json["actions"]


def another_compound_with_a_submitted_issue() -> int:
    world = build_world("bench-other")
    db.session.commit()
    principal = load_principal(world.people["resident_1_1"].id)
    new = reports.NewIssue("repair", "楼道灯不亮", "1单元楼道灯不亮", unit_id=world.units[0].id)
    issue_id = reports.report(principal, new).id
    db.session.commit()
    return issue_id


def test_every_timeline_fits_its_issue(district):
    issues_by_id = {i.id: i for (i,) in read(select(Issue))}
    events = read(select(IssueEvent).order_by(IssueEvent.id))
    timelines: dict[int, list[IssueEvent]] = {}
    for (event,) in events:
        timelines.setdefault(event.issue_id, []).append(event)
    assert timelines.keys() == issues_by_id.keys()
    for issue_id, timeline in timelines.items():
        issue = issues_by_id[issue_id]
        assert timeline[0].action == "submit"
        assert 1 <= len(timeline) <= 5
        assert timeline[-1].id == issue.last_event_id
        assert timeline[-1].to_status == issue.status
        assert [e.created_at for e in timeline] == sorted(e.created_at for e in timeline)
        for before, after in pairwise(timeline):
            assert after.from_status == before.to_status
    statuses = {issue.status for issue in issues_by_id.values()}
    assert {"submitted", "accepted", "referred", "resolved", "closed"} <= statuses
    units = {u for (u,) in read(select(Unit.id))}
    assert {i.unit_id for i in issues_by_id.values()} <= units | {None}


def test_the_cli_refuses_a_database_that_holds_data(database_url, district, capsys):
    assert data.main(["--database-url", database_url, "--scale", str(SCALE)]) == 1
    assert "refusing: the database already holds data (" in capsys.readouterr().err


def test_the_same_seed_makes_the_same_district(district):
    empty_tables()
    assert data.generate(db.engine, SCALE, SEED) == district["counts"]
    assert checksum() == district["checksum"]


def test_the_runner_builds_only_the_lines_asked_for(app, district):
    """`--only` without "payment notify" writes no open orders into the district; the
    per-compound lines ask the district's compound for its latest month."""
    orders = read(select(func.count()).select_from(Payment))[0][0]
    endpoints = run.build_endpoints(app, random.Random(1), ["my bills", "committee filtered list"])
    assert [e.name for e in endpoints] == ["committee filtered list", "my bills"]
    assert read(select(func.count()).select_from(Payment))[0][0] == orders

    (sweep,) = per_compound.build_sweeps(app, [per_compound.STATS])
    assert [c.path for c in sweep.groups["5 biggest"]] == [
        "/api/v1/issues/stats?compound=bd001&month=2026-11"
    ]
    per_compound.run_sweep(app, sweep, per_compound.in_process(app), warmup=0, runs=1)
    (measured,) = sweep.results["5 smallest"]
    assert (measured.case.code, measured.case.issues, len(measured.ms)) == ("bd001", 3000, 1)
