"""How many statements the hot endpoints send (README: Performance; issue 16 aims at
five at most for a resident's read). Savepoints are the tests' own transactions, not
the endpoint's: they are not counted. A count that grows is a regression; one that
shrinks is welcome (lower the bound here)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.clock import utcnow
from server.extensions import db
from server.models.issue import ReturnVisit
from server.services.money import fees
from tests.factories import build_world, self_governance_fee
from tests.helpers import statements
from tests.steps import act, notify, open_payment, pay_at_wechat, report, reported_id, sign_in


@pytest.fixture
def world(db_session):
    world = build_world("hs")
    self_governance_fee(world.compound)
    db.session.flush()
    for period in ("2026-10", "2026-11", "2026-12"):
        fees.generate_bills(period, "hs")
    return world


def counted(fn) -> list[str]:
    """The statements `fn()` sends, less the test's savepoints."""
    return [sql for sql, _ in statements(fn) if "SAVEPOINT" not in sql.upper()]


def _get(client, url, headers) -> dict:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_my_bills_in_two_statements(client, world):
    headers = world.fresh_headers("resident_1_1")
    seen = counted(lambda: _get(client, "/api/v1/bills", headers))
    assert len(seen) == 2  # the caller, the bills with their fee item
    assert "fee_items" in seen[1]


def test_a_residents_issue_list_and_detail(client, world):
    open_id = reported_id(client, world)
    closed_id = reported_id(client, world, title="水管漏水")
    act(client, world, closed_id, "liaison_1_1", "accept")
    act(client, world, closed_id, "liaison_1_1", "resolve", note="修好了")
    act(client, world, closed_id, "resident_1_1", "confirm", rating=5)
    headers = world.fresh_headers("resident_1_1")

    listed = counted(lambda: _get(client, "/api/v1/issues", headers))
    assert len(listed) == 3  # the caller, the issues with their latest entry, photo counts

    detail = counted(lambda: _get(client, f"/api/v1/issues/{open_id}", headers))
    assert len(detail) == 3  # the caller, the issue where it is, its timeline and photos
    closed = counted(lambda: _get(client, f"/api/v1/issues/{closed_id}", headers))
    assert len(closed) == 3  # whether a return visit waits for an answer: read with the issue
    asked = db.session.scalars(select(ReturnVisit).where(ReturnVisit.issue_id == closed_id)).one()
    asked.kind, asked.status = "message", "sent"  # "is it still fixed?" asked of the reporter
    asked.assignee_id, asked.due_at = world.user_ids["resident_1_1"], utcnow()
    db.session.flush()
    waiting = []
    seen = counted(lambda: waiting.append(_get(client, f"/api/v1/issues/{closed_id}", headers)))
    assert len(seen) == 3
    assert waiting[0]["can_answer_return_visit"] is True


def test_submitting_an_issue(client, world):
    report(client, world)  # the first, as any later one
    headers = world.fresh_headers("resident_1_1")
    body = {
        "category": "repair",
        "title": "水管漏水",
        "description": "三楼",
        "household_id": world.household_ids["1-1-101"],
    }

    def submit():
        assert client.post("/api/v1/issues", json=body, headers=headers).status_code == 201

    seen = counted(submit)
    # The caller, the flat with its compound, the deadlines; the issue, its entry, its
    # latest entry; who hears of it (3 people), their inbox lines and pushes; then the
    # issue as shown (the caller read again after the commit: 2 of the 4).
    assert len(seen) <= 17


def test_payment_notification(client, sandbox, world):
    headers = world.fresh_headers("resident_1_1")
    first, second, *_ = _get(client, "/api/v1/bills", headers)["items"]
    orders = []
    for bill in (first, second):
        created = open_payment(client, world, [bill["id"]]).get_json()
        orders.append(pay_at_wechat(sandbox, created["out_trade_no"]))
    assert len(counted(lambda: notify(client, sandbox, orders[0]))) <= 9
    # A worker that has seen the compound's ledger once: the order locked with the
    # transaction check, the order, its bills locked, the bills, the ledger's head, its
    # entry, the head moved, the payer's inbox line.
    seen = counted(lambda: notify(client, sandbox, orders[1]))
    assert len(seen) == 8
    again = counted(lambda: notify(client, sandbox, orders[1]))
    assert len(again) == 1  # already paid: the order, and nothing more


def test_login(client, world):
    code = f"demo-{world.openid('resident_1_1')}"
    seen = counted(lambda: sign_in(client, code))
    assert len(seen) <= 5
