"""The notice board (公示栏) every member of the compound reads: announcements for
them, the latest published disclosure, every fund from the ledger, this month's
collection rate and the matters resolved this month — counts, never a payer's name;
another compound gets 404."""

from __future__ import annotations

import pytest

from server.clock import utcnow
from server.extensions import db
from server.models import Disclosure
from server.services.money import fees, ledger
from tests.factories import bill_of, build_world, make_payment, self_governance_fee
from tests.steps import acted, reported_id
from tests.timing import month, shanghai_date

CODE = "bd"


@pytest.fixture
def world(db_session):
    return build_world(CODE)


def board(client, world, who="resident_1_1") -> dict:
    response = client.get(f"/api/v1/compounds/{CODE}/board", headers=world.headers(who))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_the_board_shows_funds_rate_and_resolved_counts_and_no_names(client, world):
    self_governance_fee(world.compound)
    fees.generate_bills(month(0), CODE)
    # 1-1-101 (王秀兰) pays online: the ledger credits the fee's fund.
    bill = bill_of(world, "1-1-101")
    payment = make_payment(world, [bill], status="paid", paid_at=utcnow())
    ledger.append(
        world.compound.id,
        [ledger.Movement("fee:self_governance", "credit", bill.amount_fen, "payment", payment.id)],
        world.user_ids["resident_1_1"],
    )
    db.session.flush()
    # Two issues fixed this month, one still open.
    for title in ("楼道灯不亮", "水管漏水"):
        issue = reported_id(client, world, title=title)
        acted(client, world, issue, "committee", "accept")
        acted(client, world, issue, "committee", "resolve", note="已修好")
    reported_id(
        client,
        world,
        who="resident_1_2",
        title="门禁坏了",
        category="hazard",
        household_id=world.household_ids["1-2-101"],
    )

    found = board(client, world)
    fund = {f["account"]: f for f in found["funds"]}
    assert fund["fee:self_governance"]["name"] == "自治管理费"
    assert fund["fee:self_governance"]["balance_fen"] == bill.amount_fen
    assert fund["fee:self_governance"]["income_fen_month"] == bill.amount_fen
    assert fund["fee:self_governance"]["spent_fen_month"] == 0
    assert fund["fund:co_construction"]["name"] == "共建基金"
    assert found["collection_rate"] == {
        "month": month(0),
        "households_billed": 6,
        "households_paid": 1,
        "collection_rate": round(1 / 6, 4),
    }
    assert found["resolved_this_month"] == [
        {"category": "repair", "category_label": "报修", "count": 2}
    ]
    assert found["resolved_total"] == 2
    assert found["latest_disclosure"] is None
    text = str(found)
    for name in ("王秀兰", "李建国", "1-1-101", "1-2-101"):
        assert name not in text


def test_the_board_shows_pinned_and_urgent_first_and_the_latest_disclosure(client, world):
    def post(**body):
        response = client.post(
            f"/api/v1/compounds/{CODE}/announcements",
            json={"body": "详见公告", **body},
            headers=world.headers("committee"),
        )
        assert response.status_code == 201, response.get_json()

    post(title="旧的置顶", pinned_until=shanghai_date(0).isoformat())
    post(title="普通通知")
    post(title="停气通知", urgent=True, pinned_until=shanghai_date(0).isoformat())
    post(title="最新通知")
    shown = board(client, world)["announcements"]
    assert [(a["title"], a["pinned"], a["urgent"]) for a in shown] == [
        ("停气通知", True, True),
        ("旧的置顶", True, False),
        ("最新通知", False, False),
        ("普通通知", False, False),
    ]

    for status, version in (("published", 1), ("draft", 2)):
        db.session.add(
            Disclosure(
                compound_id=world.compound.id,
                month=month(-1),
                version=version,
                status=status,
                ledger_seq=0,
                ledger_head="0" * 64,
                figures={},
                published_at=utcnow() if status == "published" else None,
            )
        )
    db.session.flush()
    latest = board(client, world)["latest_disclosure"]
    assert latest["month"] == month(-1)
    assert latest["published_at"].endswith("+08:00")


def test_every_member_reads_the_board_another_compound_gets_404(client, world):
    for who in ("resident_1_1", "liaison_1_1", "lead_1", "committee", "supervisor"):
        board(client, world, who)
    other = build_world("bx")
    response = client.get(f"/api/v1/compounds/{CODE}/board", headers=other.headers("committee"))
    assert response.status_code == 404
    assert response.get_json()["code"] == "compound_not_found"
    outsider = client.get(f"/api/v1/compounds/{CODE}/board", headers=world.headers("outsider"))
    assert outsider.status_code == 404
