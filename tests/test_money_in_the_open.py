"""Money in the open end to end (issue 11's "Done when"), over the API:

last month fees come in (cash recorded by the liaison, confirmed by the committee),
public income is recorded and confirmed by two people, an expense larger than its fund
is refused when paid, another is proposed, objected to, changed, approved and paid;
then the month is frozen, signed off, published and pushed; its lines add up for every
fund and the PDF carries the same numbers; a ledger row changed behind the
application's back makes verify name it; a resident sees the board and the receipts
but no payer names; another compound sees nothing.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pypdf
from freezegun import freeze_time
from sqlalchemy import select, text

from server.clock import SHANGHAI
from server.extensions import db
from server.models import Membership
from server.services.disclosures.figures import yuan
from server.services.money import fees
from tests.factories import bill_of, build_world, self_governance_fee
from tests.helpers import inbox
from tests.steps import (
    confirm_cash,
    decide_income,
    expense_step,
    expense_stepped,
    proposed_expense,
    recorded_cash,
    recorded_income,
    uploaded_id,
)
from tests.timing import month, shanghai_month_start

FUND = "fund:co_construction"


def test_a_month_of_money_in_the_open(client, db_session, photo_storage):
    world = build_world("aa")
    other = build_world("bb")
    self_governance_fee(world.compound)
    code, last_month = "aa", month(-1)
    then = shanghai_month_start(-1) + timedelta(days=5)
    day = then.astimezone(SHANGHAI).date().isoformat()  # a day of last month
    paying = {"paid_on": day, "method": "transfer"}

    with freeze_time(then, tick=True):
        # Fees: the liaison takes cash, a committee member confirms it.
        fees.generate_bills(last_month, code)
        cash = recorded_cash(client, world, bill_of(world, "1-1-101"), paid_on=day)
        assert confirm_cash(client, world, cash).status_code == 200

        # Public income: recorded by one committee member, counted when another confirms.
        income = recorded_income(
            client, world, kind="advertising", amount_fen=50000, received_on=day
        )
        refused = decide_income(client, world, income, who="committee")
        assert (refused.status_code, refused.get_json()["code"]) == (403, "same_person")
        assert decide_income(client, world, income).status_code == 200

        # An expense larger than the fund is refused when paid: nothing is written.
        too_big = proposed_expense(
            client, world, fund=FUND, amount_fen=80000, purpose="更换单元门", payee="门业公司"
        )
        expense_stepped(client, world, too_big["id"], "supervisor", "approve")
        overdraw = expense_step(client, world, too_big["id"], "committee_2", "pay", **paying)
        assert (overdraw.status_code, overdraw.get_json()["code"]) == (409, "insufficient_funds")

        # Another: proposed with a receipt, objected to, changed, approved and paid.
        receipt = uploaded_id(client, world, who="committee")
        spent = proposed_expense(
            client,
            world,
            fund=FUND,
            amount_fen=36000,
            purpose="更换3单元楼道灯",
            payee="老张水电维修部",
            receipts=[receipt],
        )
        objected = expense_stepped(
            client, world, spent["id"], "supervisor", "object", reason="报价偏高，请再问一家"
        )
        assert objected["status"] == "objected"
        changed = expense_stepped(
            client, world, spent["id"], "committee", "change", amount_fen=32000
        )
        assert (changed["status"], changed["amount_fen"]) == ("proposed", 32000)
        expense_stepped(client, world, spent["id"], "supervisor", "approve")
        paid = expense_stepped(client, world, spent["id"], "committee_2", "pay", **paying)
        assert paid["status"] == "paid"
        withdrawn = expense_stepped(client, world, too_big["id"], "committee", "withdraw")
        assert withdrawn["status"] == "withdrawn"
    db.session.commit()

    # The month is frozen, signed off by the supervisor, published and told to everyone.
    made = client.post(
        f"/api/v1/compounds/{code}/disclosures",
        json={"month": last_month},
        headers=world.fresh_headers("committee"),
    )
    assert made.status_code == 201, made.get_json()
    disclosure = made.get_json()
    assert disclosure["status"] == "draft"
    for who, action in (("supervisor", "sign-off"), ("committee", "publish")):
        stepped = client.post(
            f"/api/v1/disclosures/{disclosure['id']}/{action}", headers=world.fresh_headers(who)
        )
        assert stepped.status_code == 200, stepped.get_json()
    assert stepped.get_json()["status"] == "published"
    year, number = last_month.split("-")
    told = [n.title for n in inbox(world.user_ids["resident_1_2"]) if n.kind == "disclosure"]
    assert told == [f"本小区{year}年{int(number)}月收支公示已发布"]

    # Its lines add up for every fund: opening + income − expenses = closing.
    shown = client.get(
        f"/api/v1/disclosures/{disclosure['id']}", headers=world.fresh_headers("resident_1_2")
    ).get_json()
    by_account = {fund["account"]: fund for fund in shown["funds"]}
    for fund in shown["funds"]:
        income_sum = sum(line["amount_fen"] for line in fund["income"])
        spent_sum = sum(line["amount_fen"] for line in fund["expenses"])
        assert fund["opening_fen"] + income_sum - spent_sum == fund["closing_fen"], fund["name"]
    co = by_account[FUND]
    assert (co["opening_fen"], co["income_fen"], co["expense_fen"], co["closing_fen"]) == (
        0,
        50000,
        32000,
        18000,
    )
    (line,) = co["expenses"]
    assert (line["title"], line["amount_fen"]) == ("更换3单元楼道灯", 32000)
    assert by_account["fee:self_governance"]["income_fen"] > 0

    # The paper carries the same numbers.
    printed = client.get(
        f"/api/v1/disclosures/{disclosure['id']}.pdf", headers=world.fresh_headers("committee")
    )
    assert printed.status_code == 200
    paper = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(printed.data)).pages)
    paper = paper.replace(" ", "")
    for fund in shown["funds"]:
        for value in ("opening_fen", "income_fen", "expense_fen", "closing_fen"):
            assert yuan(fund[value]) in paper, (fund["name"], value)
    assert "更换3单元楼道灯" in paper

    # Anyone may check it; a ledger row changed behind the application's back is named.
    verify = f"/api/v1/disclosures/{disclosure['id']}/verify"
    assert client.get(verify).get_json()["verified"] is True
    db.session.execute(
        text(
            "UPDATE ledger_entries SET amount_fen = 30000 "
            "WHERE source_type = 'expense' AND amount_fen = 32000"
        )
    )
    checked = client.get(verify).get_json()
    assert checked["verified"] is False
    kinds = {d["kind"]: d for d in checked["differences"] if d["kind"] == "chain"}
    assert kinds["chain"]["message"] == f"账本第 {kinds['chain']['seq']} 笔的内容被改动过"
    lines = {d.get("line_title"): d for d in checked["differences"] if d["kind"] == "figure"}
    named = lines["更换3单元楼道灯"]
    assert (named["frozen"], named["recomputed"]) == (32000, 30000)
    assert named["message"] == "共建基金·更换3单元楼道灯的金额：公示 ¥320.00，账本重算 ¥300.00"

    # A resident sees the board, the expense and its receipt, but nobody's payment.
    resident = world.fresh_headers("resident_1_2")
    board = client.get(f"/api/v1/compounds/{code}/board", headers=resident)
    assert board.status_code == 200, board.get_json()
    assert board.get_json()["latest_disclosure"]["id"] == disclosure["id"]
    expense = client.get(f"/api/v1/expenses/{spent['id']}", headers=resident)
    assert expense.status_code == 200
    assert client.get(f"/api/v1/uploads/{receipt}", headers=resident).status_code == 200
    public = board.get_data(as_text=True) + client.get(
        f"/api/v1/disclosures/{disclosure['id']}", headers=resident
    ).get_data(as_text=True)
    names = db.session.scalars(
        select(Membership.name).where(
            Membership.compound_id == world.compound.id,
            Membership.role == "resident",
            Membership.name.is_not(None),
        )
    ).all()
    assert names  # the residents have names, and none is on the board
    assert [name for name in names if name in public] == []
    assert "1-1-101" not in public  # the flat that paid in cash is not named

    # Another compound's committee sees none of it.
    outsider = other.headers("committee")
    for url in (
        f"/api/v1/compounds/{code}/funds",
        f"/api/v1/compounds/{code}/board",
        f"/api/v1/expenses/{spent['id']}",
        f"/api/v1/disclosures/{disclosure['id']}",
        f"/api/v1/disclosures/{disclosure['id']}.pdf",
        f"/api/v1/uploads/{receipt}",
    ):
        assert client.get(url, headers=outsider).status_code == 404, url
