"""Steps a user takes through the HTTP API, shared by the test modules.

A step takes the test client, the `World` and who takes it (a key of `world.people`),
and sends its request with a token made now (`World.fresh_headers`), so it works under
a frozen clock too. Most come in two forms:

- the verb (`report`, `act`, `upload`, `open_payment`, `record_cash`, ...) returns the
  Response, for tests of what is refused;
- its past form (`reported_id`, `acted`, `uploaded_id`, `opened_payment`,
  `recorded_cash`) asserts that it worked and returns what came of it.

Rows a test needs as state, without a journey, come from tests/factories.py.
"""

from __future__ import annotations

import io

from flask.testing import FlaskClient
from openpyxl import load_workbook
from werkzeug.test import TestResponse

from server.extensions import db
from server.models import Bill, Payment
from tests.factories import World
from tests.helpers import image_bytes, multipart
from tests.timing import shanghai_date

NOTIFY = "/api/v1/payments/wechat/notify"


def sign_in(client: FlaskClient, code: str) -> TestResponse:
    """wx.login's `code` exchanged for a token (in the sandbox, `demo-<openid>`)."""
    return client.post("/api/v1/auth/login", json={"code": code})


def homes(client: FlaskClient, world: World, who: str) -> list[tuple[str, str]]:
    """(flat, relation) of every household `who` belongs to, as GET /me shows them."""
    me = client.get("/api/v1/me", headers=world.fresh_headers(who))
    assert me.status_code == 200, me.get_json()
    return [(h["label"], h["relation"]) for h in me.get_json()["households"]]


# ----- issues -----


def report(client: FlaskClient, world: World, who="resident_1_1", **fields) -> TestResponse:
    """`who` reports a broken stair light in 1-1-101; `fields` change the report. A
    place given as unit_id, building_id or compound (even None) replaces 1-1-101."""
    body = {"category": "repair", "title": "楼道灯不亮", "description": "三楼楼道灯坏了"}
    if "household_id" not in fields and not {"unit_id", "building_id", "compound"} & set(fields):
        body["household_id"] = world.household("1-1-101").id
    body.update(fields)
    return client.post("/api/v1/issues", json=body, headers=world.fresh_headers(who))


def reported_id(client: FlaskClient, world: World, who="resident_1_1", **fields) -> int:
    """`report`, which must be accepted (201); the new issue's id."""
    response = report(client, world, who, **fields)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def act(client: FlaskClient, world: World, issue_id: int, who: str, action: str, **fields):
    """`who` takes `action` (accept, refer, resolve, confirm, ...) on an issue."""
    return client.post(
        f"/api/v1/issues/{issue_id}/transitions",
        json={"action": action, **fields},
        headers=world.fresh_headers(who),
    )


def acted(client: FlaskClient, world: World, issue_id: int, who: str, action: str, **fields):
    """`act`, which must succeed (200); the issue as it is now."""
    response = act(client, world, issue_id, who, action, **fields)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


# ----- photos -----


def upload(
    client: FlaskClient,
    world: World,
    data: bytes | None = None,
    who="resident_1_1",
    *,
    name="photo.jpg",
    type_="image/jpeg",
) -> TestResponse:
    """`who` uploads `data` (a small JPEG unless given) as wx.uploadFile sends it."""
    data = image_bytes() if data is None else data
    return client.post(
        "/api/v1/uploads", headers=world.fresh_headers(who), **multipart(data, name, type_)
    )


def uploaded_id(client: FlaskClient, world: World, who="resident_1_1", data=None) -> int:
    """`upload`, which must be stored (201); the photo's id."""
    response = upload(client, world, data, who)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


# ----- paying online -----


def open_payment(client: FlaskClient, world: World, bill_ids, who="resident_1_1"):
    """`who` asks to pay the bills with WeChat Pay (an order is made at WeChat Pay)."""
    return client.post(
        "/api/v1/payments", json={"bill_ids": bill_ids}, headers=world.fresh_headers(who)
    )


def opened_payment(client: FlaskClient, world: World, bill_ids, who="resident_1_1") -> Payment:
    """`open_payment`, which must be made (201); the Payment row."""
    response = open_payment(client, world, bill_ids, who)
    assert response.status_code == 201, response.get_json()
    return db.session.get(Payment, response.get_json()["payment_id"])


def pay_at_wechat(sandbox, out_trade_no: str, *, transaction_id: str | None = None):
    """The payer pays the order at WeChat Pay (in the sandbox; nothing is notified yet);
    the sandbox's order."""
    order = sandbox.pay.orders[out_trade_no]
    order.state = "SUCCESS"
    order.transaction_id = transaction_id or "4200" + out_trade_no[-12:]
    return order


def notify(client: FlaskClient, sandbox, order=None, *, body: bytes | None = None, **changes):
    """WeChat Pay's notification of a paid `order` (its fields changed by `changes`,
    still correctly signed), or any `body` a forger might send."""
    if body is None:
        body = sandbox.pay.notification(order, **changes)
    return client.post(NOTIFY, data=body, content_type="text/xml")


# ----- cash and transfers -----


def paid_all_bills(client: FlaskClient, sandbox, world: World, who="resident_1_1") -> dict:
    """The resident pays all their household's bills with WeChat Pay (default merchant),
    notified; the payment as created (id, out_trade_no, total_fen, ...)."""
    bills = client.get("/api/v1/bills", headers=world.fresh_headers(who))
    created = open_payment(client, world, [b["id"] for b in bills.get_json()["items"]], who)
    body = created.get_json()
    order = pay_at_wechat(sandbox, body["out_trade_no"])
    assert b"SUCCESS" in notify(client, sandbox, order).data
    return body


def unpaid_bills(client: FlaskClient, world: World, label: str, who="liaison_1_1") -> list[dict]:
    """The household's unpaid bills as a collector looks them up before taking cash."""
    household_id = world.household(label).id
    response = client.get(
        f"/api/v1/fees/unpaid-bills?household_id={household_id}",
        headers=world.fresh_headers(who),
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def record_cash(client: FlaskClient, world: World, bills, who="liaison_1_1", **body):
    """`who` records cash paid yesterday for `bills`, in full; `body` changes the record
    (method, paid_on, amount_fen, note, receipt_photo, ...). `bills`: a Bill, a list of
    Bills or of bills as the API lists them, or a household's label, whose unpaid bills
    `who` then looks up first (`unpaid_bills`)."""
    if isinstance(bills, str):
        bills = unpaid_bills(client, world, bills, who)
    elif isinstance(bills, Bill | dict):
        bills = [bills]
    ids, amounts = zip(*(_id_and_amount(b) for b in bills), strict=True) if bills else ((), ())
    record = {
        "bill_ids": list(ids),
        "method": "cash",
        "amount_fen": sum(amounts),
        "paid_on": shanghai_date(-1).isoformat(),
        **body,
    }
    return client.post("/api/v1/offline-payments", json=record, headers=world.fresh_headers(who))


def recorded_cash(client: FlaskClient, world: World, bills, who="liaison_1_1", **body) -> int:
    """`record_cash`, which must be recorded (201); the offline payment's id."""
    response = record_cash(client, world, bills, who, **body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def confirm_cash(client: FlaskClient, world: World, offline_id: int, who="committee"):
    """A committee member confirms a recorded offline payment (not its recorder)."""
    return client.post(
        f"/api/v1/offline-payments/{offline_id}/confirm", headers=world.fresh_headers(who)
    )


def _id_and_amount(bill: Bill | dict) -> tuple[int, int]:
    if isinstance(bill, dict):
        return bill["id"], bill["amount_fen"]
    return bill.id, bill.amount_fen


# ----- what a second committee member decides -----


def decide(client: FlaskClient, world: World, change_id: int, who: str, action="confirm", **body):
    """`who` confirms (or rejects, `action`) a pending change another member proposed."""
    return client.post(
        f"/api/v1/compounds/{world.compound.code}/pending-changes/{change_id}/{action}",
        json=body,
        headers=world.fresh_headers(who),
    )


def resolve_anomaly(client: FlaskClient, world: World, anomaly_id: int, who="committee", **body):
    """`who` resolves a payment anomaly ("已通过微信退款" unless `body` says otherwise)."""
    return client.post(
        f"/api/v1/compounds/{world.compound.code}/payment-anomalies/{anomaly_id}/resolve",
        json={"resolution": "已通过微信退款", **body},
        headers=world.fresh_headers(who),
    )


def fee_export(client: FlaskClient, world: World, period: str, who="committee") -> TestResponse:
    """The committee's Excel of a period's bills, payments and who still owes."""
    return client.get(
        f"/api/v1/fees/export.xlsx?compound={world.compound.code}&period={period}",
        headers=world.fresh_headers(who),
    )


def export_sheets(response: TestResponse) -> dict[str, list[list]]:
    """The fee export's three sheets as rows of cell values, by sheet name."""
    assert response.status_code == 200, response.get_data(as_text=True)
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["账单", "缴费记录", "未缴名单"]
    return {
        name: [list(r) for r in book[name].iter_rows(values_only=True)] for name in book.sheetnames
    }


# ----- spending -----

EXPENSE = {
    "fund": "fee:self_governance",
    "amount_fen": 35000,
    "purpose": "更换3单元楼道灯",
    "payee": "老张水电维修部",
    "category": "repair",
}


def propose_expense(client: FlaskClient, world: World, who="committee", **fields) -> TestResponse:
    """`who` proposes ¥350 from the self-governance fee for stair lights; `fields` change it."""
    body = {**EXPENSE, **fields}
    return client.post(
        f"/api/v1/compounds/{world.compound.code}/expenses",
        json=body,
        headers=world.fresh_headers(who),
    )


def proposed_expense(client: FlaskClient, world: World, who="committee", **fields) -> dict:
    """`propose_expense`, which must be accepted (201); the expense as shown."""
    response = propose_expense(client, world, who, **fields)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def expense_step(
    client: FlaskClient, world: World, expense_id: int, who: str, action: str, **body
) -> TestResponse:
    """`who` takes `action` (approve, object, change, confirm, pay, withdraw, reverse)."""
    return client.post(
        f"/api/v1/expenses/{expense_id}/{action}", json=body, headers=world.fresh_headers(who)
    )


def expense_stepped(
    client: FlaskClient, world: World, expense_id: int, who: str, action: str, **body
) -> dict:
    """`expense_step`, which must succeed (200); the expense as it is now."""
    response = expense_step(client, world, expense_id, who, action, **body)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def pay_body(days: int = 0, method: str = "transfer") -> dict:
    return {"paid_on": shanghai_date(days).isoformat(), "method": method}


# ----- public income -----


def add_contract(client: FlaskClient, world: World, who="committee", **fields) -> TestResponse:
    """`who` registers a contract: by default an ad space let for a year from a month
    ago, ¥500 a month."""
    code = world.compound.code
    body = {
        "counterparty": "顺达广告公司",
        "kind": "advertising",
        "price_fen": 50000,
        "cycle": "monthly",
        "start_on": shanghai_date(-30).isoformat(),
        "end_on": shanghai_date(335).isoformat(),
        **fields,
    }
    return client.post(
        f"/api/v1/compounds/{code}/contracts", json=body, headers=world.fresh_headers(who)
    )


def added_contract(client: FlaskClient, world: World, who="committee", **fields) -> dict:
    response = add_contract(client, world, who, **fields)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def record_income(client: FlaskClient, world: World, who="committee", **fields) -> TestResponse:
    """`who` records public income: by default ¥300 of parking money in cash, yesterday."""
    code = world.compound.code
    body = {
        "kind": "parking",
        "amount_fen": 30000,
        "received_on": shanghai_date(-1).isoformat(),
        "method": "cash",
        **fields,
    }
    return client.post(
        f"/api/v1/compounds/{code}/income", json=body, headers=world.fresh_headers(who)
    )


def recorded_income(client: FlaskClient, world: World, who="committee", **fields) -> int:
    response = record_income(client, world, who, **fields)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["status"] == "pending"
    return response.get_json()["id"]


def decide_income(
    client: FlaskClient, world: World, income_id: int, who="committee_2", action="confirm", **body
) -> TestResponse:
    """`who` confirms or rejects (with `reason=`) an income record."""
    return client.post(
        f"/api/v1/income/{income_id}/{action}",
        json=body or None,
        headers=world.fresh_headers(who),
    )
