"""Meter readings, two people for every yuan: one records, a committee member other than the
recorder confirms before any bill exists; plausibility checks and flags; a wrong confirmed
reading is voided by two people, its unpaid bills cancelled and its paid shares owed back."""

from __future__ import annotations

import io

import pytest
from freezegun import freeze_time
from openpyxl import load_workbook
from sqlalchemy import select

from server.extensions import db
from server.models import (
    Bill,
    FeeItem,
    LedgerEntry,
    MeterReading,
    OutboxMessage,
    PaymentAnomaly,
)
from server.services.money import ledger
from tests.factories import add_person, build_world, stair_electricity_fee
from tests.helpers import balance, inbox
from tests.steps import decide, recorded_cash, resolve_anomaly
from tests.timing import month, shanghai_date, shanghai_day

THIS_MONTH, LAST_MONTH = month(0), month(-1)


@pytest.fixture
def world(db_session):
    world = build_world("aa")
    stair_electricity_fee(world.compound)
    add_person(world, "committee_3", "committee", world.compound, user={"nickname": "赵三"})
    return world


def record(
    client, world, who="liaison_1_1", period=THIS_MONTH, amount_fen=450, unit=0, fresh=False
):
    return client.post(
        "/api/v1/meter-readings",
        json={"unit_id": world.units[unit].id, "period": period, "amount_fen": amount_fen},
        headers=world.fresh_headers(who) if fresh else world.headers(who),
    )


def recorded_and_confirmed(client, world, period=THIS_MONTH, amount_fen=450, unit=0):
    reading = record(client, world, period=period, amount_fen=amount_fen, unit=unit).get_json()
    confirmed = decide(
        client, world, reading["open_change"]["id"], "committee", acknowledge_flag=True
    )
    assert confirmed.status_code == 200, confirmed.get_json()
    return reading


def meter_bills(world, unit=0, **where) -> list[Bill]:
    households = [h.id for h in world.units[unit].households]
    return list(
        db.session.scalars(
            select(Bill)
            .join(FeeItem, FeeItem.id == Bill.fee_item_id)
            .where(FeeItem.kind == "shared_meter", Bill.household_id.in_(households))
            .filter_by(**where)
            .order_by(Bill.id)
            .execution_options(populate_existing=True)
        )
    )


def pushed_to(world) -> set[str]:
    ids = set(db.session.scalars(select(OutboxMessage.user_id)))
    return {who for who, user in world.people.items() if user.id in ids}


# ----- recorded, then confirmed by a second person -----


def test_a_reading_makes_no_bill_until_a_committee_member_confirms_it(client, world):
    response = record(client, world)
    assert response.status_code == 201, response.get_json()
    reading = response.get_json()
    assert (reading["status"], reading["amount_fen"], reading["entered_by"]) == (
        "pending",
        450,
        world.people["liaison_1_1"].nickname,
    )
    assert meter_bills(world) == []
    confirmed = decide(client, world, reading["open_change"]["id"], "committee")
    assert confirmed.status_code == 200, confirmed.get_json()
    assert (confirmed.get_json()["status"], confirmed.get_json()["decided_by"]) == (
        "confirmed",
        world.people["committee"].nickname,
    )
    assert [b.amount_fen for b in meter_bills(world)] == [150, 150, 150]
    assert {b.status for b in meter_bills(world)} == {"unpaid"}
    assert db.session.get(MeterReading, reading["id"]).status == "confirmed"
    # The liaison reads that it was confirmed.
    assert inbox(world.people["liaison_1_1"].id)[-1].title.startswith("已确认：1-1单元 ")


def test_every_other_committee_member_is_pushed_the_reading_and_the_recorder_is_not(client, world):
    by_liaison = record(client, world).get_json()
    assert pushed_to(world) == {"committee", "committee_2", "committee_3"}
    (line,) = inbox(world.people["committee_2"].id)
    assert line.title.startswith("待确认电费读数：1-1单元 ")
    assert "4.50 元（3 户分摊）" in line.body
    assert line.page == "pages/confirm/index"
    assert decide(client, world, by_liaison["open_change"]["id"], "committee").status_code == 200
    db.session.execute(OutboxMessage.__table__.delete())
    record(client, world, who="committee", unit=1)
    assert pushed_to(world) == {"committee_2", "committee_3"}
    assert [n.kind for n in inbox(world.people["committee"].id)] == [
        "pending_change"
    ]  # the first only


def test_the_recorder_cannot_confirm_and_a_third_member_after_the_decision_gets_409(client, world):
    reading = record(client, world, who="committee").get_json()
    change = reading["open_change"]["id"]
    same = decide(client, world, change, "committee")
    assert (same.status_code, same.get_json()["code"]) == (403, "same_person")
    assert "另一位业委会成员" in same.get_json()["message"]
    refused_too = decide(client, world, change, "committee", action="reject", reason="我填错了")
    assert refused_too.get_json()["code"] == "same_person"
    assert decide(client, world, change, "committee_2").status_code == 200
    late = decide(client, world, change, "committee_3")
    assert (late.status_code, late.get_json()["code"]) == (409, "change_decided")
    late_reject = decide(client, world, change, "committee_3", action="reject", reason="不对")
    assert late_reject.status_code == 409
    assert len(meter_bills(world)) == 3


@pytest.mark.parametrize("who", ["liaison_1_1", "supervisor", "resident_1_1", "lead_1"])
def test_only_a_committee_member_confirms(client, world, who):
    change = record(client, world, who="committee").get_json()["open_change"]["id"]
    response = decide(client, world, change, who)
    assert (response.status_code, response.get_json()["code"]) == (403, "committee_only")
    assert meter_bills(world) == []


def test_a_rejected_reading_makes_no_bill_and_the_month_can_be_read_again(client, world):
    reading = record(client, world, amount_fen=45000).get_json()
    missing = decide(client, world, reading["open_change"]["id"], "committee", action="reject")
    assert missing.status_code == 400
    rejected = decide(
        client,
        world,
        reading["open_change"]["id"],
        "committee",
        action="reject",
        reason="多了两个零",
    )
    assert rejected.status_code == 200
    assert rejected.get_json()["reason"] == "多了两个零"
    assert meter_bills(world) == []
    assert db.session.get(MeterReading, reading["id"]).status == "rejected"
    told = inbox(world.people["liaison_1_1"].id)[-1]
    assert told.title.startswith("已驳回：1-1单元 ")
    assert "理由：多了两个零" in told.body
    again = record(client, world, amount_fen=450)
    assert again.status_code == 201
    assert (
        decide(client, world, again.get_json()["open_change"]["id"], "committee_2").status_code
        == 200
    )
    assert [b.amount_fen for b in meter_bills(world)] == [150, 150, 150]


def test_a_second_reading_for_a_month_waiting_or_confirmed_is_refused(client, world):
    assert record(client, world).status_code == 201
    waiting = record(client, world, who="committee")
    assert (waiting.status_code, waiting.get_json()["code"]) == (409, "reading_exists")


# ----- plausibility -----


@pytest.mark.parametrize(
    ("period", "amount_fen", "status", "code"),
    [
        (month(1), 450, 201, None),  # next month: entered before the month ends is fine
        (month(2), 450, 400, "period_too_late"),
        ("2099-12", 100_000_000, 400, "period_too_late"),  # the issue's ¥1,000,000
        (THIS_MONTH, 100_000_000, 400, "amount_out_of_range"),
        (THIS_MONTH, 100_000_001, 400, "validation_error"),
        (THIS_MONTH, 200_001, 400, "amount_out_of_range"),  # above METER_READING_MAX_FEN
        (THIS_MONTH, 200_000, 201, None),
        (THIS_MONTH, 0, 400, "validation_error"),
        ("2026-13", 450, 400, "validation_error"),
    ],
)
def test_implausible_readings_are_refused(client, world, period, amount_fen, status, code):
    response = record(client, world, period=period, amount_fen=amount_fen)
    assert response.status_code == status, response.get_json()
    if code:
        assert response.get_json()["code"] == code
        assert db.session.scalars(select(MeterReading)).all() == []


def test_next_month_is_judged_in_shanghai(client, world):
    # 00:30 on the 1st in Shanghai is still the last day of the previous month in UTC.
    start = shanghai_day(1 - shanghai_date(0).day, "00:30")
    assert start.day != 1
    with freeze_time(start):
        ahead = record(client, world, period=month(1, start), fresh=True)
        too_far = record(client, world, period=month(2, start), unit=1, fresh=True)
    assert ahead.status_code == 201, ahead.get_json()
    assert too_far.get_json()["code"] == "period_too_late"


def test_a_reading_far_above_the_units_recent_ones_is_flagged_and_must_be_acknowledged(
    client, world
):
    for offset, amount in ((-3, 400), (-2, 500), (-1, 450)):
        recorded_and_confirmed(client, world, period=month(offset), amount_fen=amount)
    normal = record(client, world, amount_fen=1350, unit=0).get_json()  # exactly 3 × 450
    assert normal["flag"] is None
    assert (
        decide(
            client, world, normal["open_change"]["id"], "committee", action="reject", reason="重录"
        ).status_code
        == 200
    )
    high = record(client, world, amount_fen=1351).get_json()
    assert high["flag"] == {
        "multiple": 3.0,
        "average_fen": 450,
        "ratio": 3.0,
        "recent": [
            {"period": month(-1), "amount_fen": 450},
            {"period": month(-2), "amount_fen": 500},
            {"period": month(-3), "amount_fen": 400},
        ],
    }
    (listed,) = client.get(
        "/api/v1/compounds/aa/pending-changes", headers=world.headers("committee")
    ).get_json()["items"]
    assert listed["details"]["flag"]["average_fen"] == 450
    unacknowledged = decide(client, world, high["open_change"]["id"], "committee")
    assert unacknowledged.status_code == 400
    body = unacknowledged.get_json()
    assert body["code"] == "flag_not_acknowledged"
    assert "近期平均（4.50 元）" in body["message"]
    assert body["details"]["ratio"] == 3.0
    assert meter_bills(world, period=THIS_MONTH) == []
    acknowledged = decide(
        client, world, high["open_change"]["id"], "committee", acknowledge_flag=True
    )
    assert acknowledged.status_code == 200
    assert sum(b.amount_fen for b in meter_bills(world, period=THIS_MONTH)) == 1351


def test_the_flag_multiple_is_configurable(app, client, world, monkeypatch):
    recorded_and_confirmed(client, world, period=LAST_MONTH, amount_fen=400)
    monkeypatch.setitem(app.config, "METER_READING_FLAG_MULTIPLE", 1.5)
    flagged = record(client, world, amount_fen=601).get_json()
    assert flagged["flag"]["multiple"] == 1.5
    no_history = record(client, world, who="committee", amount_fen=600_00, unit=1)
    assert no_history.get_json()["flag"] is None


# ----- voiding a confirmed reading -----


def void(client, world, reading_id, who="committee", reason="表读错了，实际 4.50 元"):
    return client.post(
        f"/api/v1/meter-readings/{reading_id}/void",
        json={"reason": reason},
        headers=world.headers(who),
    )


def test_voiding_cancels_unpaid_bills_and_owes_back_paid_ones(client, world):
    reading = recorded_and_confirmed(client, world, amount_fen=45000)  # a wrong ¥450
    first, second, _third = meter_bills(world)
    paid = recorded_cash(client, world, first)
    assert (
        client.post(
            f"/api/v1/offline-payments/{paid}/confirm", headers=world.headers("committee_2")
        ).status_code
        == 200
    )
    in_payment = recorded_cash(client, world, second)
    proposed = void(client, world, reading["id"])
    assert proposed.status_code == 202, proposed.get_json()
    change = proposed.get_json()
    assert change["kind"] == "meter_void"
    assert change["summary"] == (
        f"作废1-1单元 {int(THIS_MONTH[:4])}年{int(THIS_MONTH[5:])}月公用电费（450.00 元），"
        "1 户已缴的 150.00 元转为待退款"
    )
    assert change["note"] == "表读错了，实际 4.50 元"
    assert pushed_to(world) >= {"committee_2", "committee_3"}
    assert {b.status for b in meter_bills(world)} == {"paid", "pending", "unpaid"}  # not yet

    same = decide(client, world, change["id"], "committee")
    assert same.get_json()["code"] == "same_person"
    busy = decide(client, world, change["id"], "committee_2")
    assert (busy.status_code, busy.get_json()["code"]) == (409, "bills_in_payment")
    assert (
        client.post(
            f"/api/v1/offline-payments/{in_payment}/reject",
            json={"reason": "电费有误，等更正"},
            headers=world.headers("committee_2"),
        ).status_code
        == 200
    )

    confirmed = decide(client, world, change["id"], "committee_2")
    assert confirmed.status_code == 200, confirmed.get_json()
    bills = meter_bills(world)
    assert [b.status for b in bills] == ["cancelled"] * 3
    assert [b.void_key for b in bills] == [b.id for b in bills]
    assert bills[0].paid_at is not None
    assert bills[0].held_by == f"offline:{paid}"
    assert db.session.get(MeterReading, reading["id"]).status == "voided"

    assert balance("fee:stair_electricity") == 0
    assert balance(ledger.REFUND_DUE) == 15000
    moved = db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.source_type == "meter_void").order_by(LedgerEntry.seq)
    ).all()
    assert [(e.account, e.direction, e.amount_fen) for e in moved] == [
        ("fee:stair_electricity", "debit", 15000),
        (ledger.REFUND_DUE, "credit", 15000),
    ]
    names = world.people["committee"].nickname, world.people["committee_2"].nickname
    assert moved[0].memo.endswith(
        f"作废：1-1-101 已缴 150.00 元转待退款，{names[0]}申请作废，{names[1]}确认"
    )
    assert ledger.verify("aa").ok
    (anomaly,) = db.session.scalars(select(PaymentAnomaly)).all()
    assert (anomaly.kind, anomaly.details["household"], anomaly.details["refund_due_fen"]) == (
        "reading_voided",
        "1-1-101",
        15000,
    )
    told = inbox(world.people["resident_1_1"].id)[-1]
    assert told.title.endswith("公用电费账单已作废")
    assert "您已缴的 150.00 元将由业委会退还" in told.body

    # The residents' own view, the figures and the unpaid lists owe nothing for it.
    bills_seen = client.get("/api/v1/bills", headers=world.headers("resident_1_1")).get_json()
    assert ([b["status"] for b in bills_seen["items"]], bills_seen["unpaid_fen"]) == (
        ["cancelled"],
        0,
    )
    summary = client.get(
        f"/api/v1/fees/summary?compound=aa&period={THIS_MONTH}", headers=world.headers("committee")
    ).get_json()
    assert (summary["billed_fen"], summary["households_billed"]) == (0, 0)
    unpaid = client.get(
        f"/api/v1/fees/unpaid?compound=aa&period={THIS_MONTH}", headers=world.headers("committee")
    ).get_json()["items"]
    assert unpaid == []

    # A corrected reading for the same unit and month bills again.
    corrected = record(client, world, amount_fen=450)
    assert corrected.status_code == 201, corrected.get_json()
    assert (
        decide(client, world, corrected.get_json()["open_change"]["id"], "committee").status_code
        == 200
    )
    standing = meter_bills(world, void_key=0)
    assert [b.amount_fen for b in standing] == [150, 150, 150]

    # The refund, itself two-person, empties the refund account.
    refund = resolve_anomaly(
        client, world, anomaly.id, "committee_3", resolution="现金退还王秀兰", refunded_fen=15000
    )
    assert refund.status_code == 202
    assert balance(ledger.REFUND_DUE) == 15000
    done = decide(client, world, refund.get_json()["pending_refund"]["id"], "committee")
    assert done.status_code == 200
    assert balance(ledger.REFUND_DUE) == 0
    assert ledger.verify("aa").ok


def test_a_void_with_nothing_paid_moves_no_money(client, world):
    reading = recorded_and_confirmed(client, world)
    change = void(client, world, reading["id"], who="committee_2").get_json()
    assert "转为待退款" not in change["summary"]
    assert decide(client, world, change["id"], "committee_3").status_code == 200
    assert {b.status for b in meter_bills(world)} == {"cancelled"}
    assert db.session.scalars(select(LedgerEntry)).all() == []
    assert db.session.scalars(select(PaymentAnomaly)).all() == []
    told = inbox(world.people["resident_1_1"].id)[-1]
    assert "不用再缴" in told.body
    assert "退还" not in told.body


def test_voided_bills_are_owed_by_nobody_in_the_figures_lists_and_export(client, world):
    reading = recorded_and_confirmed(client, world)  # 3 flats of 1-1, 150 fen each
    change = void(client, world, reading["id"], who="committee_2").get_json()
    assert decide(client, world, change["id"], "committee_3").status_code == 200
    query = f"compound=aa&period={THIS_MONTH}"
    headers = world.headers("committee")
    summary = client.get(f"/api/v1/fees/summary?{query}", headers=headers).get_json()
    assert summary["billed_fen"] == 0
    unpaid = client.get(f"/api/v1/fees/unpaid?{query}", headers=headers).get_json()["items"]
    assert unpaid == []
    book = load_workbook(
        io.BytesIO(client.get(f"/api/v1/fees/export.xlsx?{query}", headers=headers).data)
    )
    *bills, total, _paid = list(book["账单"].iter_rows(values_only=True))[1:]
    assert [row[5] for row in bills] == ["已作废"] * 3
    assert total[0] == "合计（0 笔，不含已作废）"
    assert list(book["未缴名单"].iter_rows(values_only=True))[1][0] == "合计（0 户）"


def test_a_rejected_void_changes_nothing(client, world):
    reading = recorded_and_confirmed(client, world)
    change = void(client, world, reading["id"]).get_json()
    rejected = decide(
        client, world, change["id"], "committee_2", action="reject", reason="读数没错"
    )
    assert rejected.status_code == 200
    assert {b.status for b in meter_bills(world)} == {"unpaid"}
    assert db.session.get(MeterReading, reading["id"]).status == "confirmed"
    assert void(client, world, reading["id"]).status_code == 202  # may be asked again


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("liaison_1_1", 403, "committee_only"),
        ("supervisor", 403, "committee_only"),
        ("resident_1_1", 403, "committee_only"),
        ("outsider", 404, "reading_not_found"),
    ],
)
def test_only_the_committee_proposes_a_void(client, world, who, status, code):
    reading = recorded_and_confirmed(client, world)
    response = void(client, world, reading["id"], who=who)
    assert (response.status_code, response.get_json()["code"]) == (status, code)


def test_only_a_confirmed_reading_is_voided_and_one_void_waits_at_a_time(client, world):
    pending = record(client, world).get_json()
    early = void(client, world, pending["id"])
    assert (early.status_code, early.get_json()["code"]) == (409, "reading_not_confirmed")
    assert decide(client, world, pending["open_change"]["id"], "committee").status_code == 200
    assert void(client, world, pending["id"]).status_code == 202
    twice = void(client, world, pending["id"], who="committee_3")
    assert (twice.status_code, twice.get_json()["code"]) == (409, "change_pending")
    missing_reason = client.post(
        f"/api/v1/meter-readings/{pending['id']}/void", json={}, headers=world.headers("committee")
    )
    assert missing_reason.status_code == 400


def test_the_units_readings_list_shows_every_status(client, world):
    confirmed = recorded_and_confirmed(client, world, period=LAST_MONTH)
    void(client, world, confirmed["id"])
    record(client, world)
    listed = client.get(
        f"/api/v1/meter-readings?unit_id={world.units[0].id}", headers=world.headers("liaison_1_1")
    )
    assert listed.status_code == 200
    rows = [
        (r["period"], r["status"], (r["open_change"] or {}).get("kind"))
        for r in listed.get_json()["items"]
    ]
    assert rows == [
        (THIS_MONTH, "pending", "meter_reading"),
        (LAST_MONTH, "confirmed", "meter_void"),
    ]
    other = client.get(
        f"/api/v1/meter-readings?unit_id={world.units[0].id}", headers=world.headers("liaison_1_2")
    )
    assert (other.status_code, other.get_json()["code"]) == (403, "not_a_handler")
