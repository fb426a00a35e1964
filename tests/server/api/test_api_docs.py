"""The API documents what it does: the roles an operation's summary names are those
that may call it, and an error it answers is named under that status."""

from __future__ import annotations

import pytest

from server.extensions import db
from server.services.money import fees
from server.services.people import invites
from tests.factories import bills_of, build_world, self_governance_fee
from tests.steps import reported_id, sign_in, uploaded_id
from tests.timing import shanghai_date

PERIOD = "2026-11"
# The world's people and the word that names their role in a summary.
ROLE_WORDS = {
    "resident_1_1": "resident",
    "liaison_1_1": "liaison",
    "lead_1": "building lead",
    "committee": "committee",
    "supervisor": "supervisor",
    "outsider": None,
}


pytestmark = pytest.mark.usefixtures("photo_storage")


@pytest.fixture
def world(db_session):
    world = build_world("aa")
    self_governance_fee(world.compound)
    db.session.flush()
    fees.generate_bills(PERIOD, "aa")
    return world


@pytest.fixture(scope="module")
def spec(app):
    return app.test_client().get("/api/v1/openapi.json").get_json()


def described(spec, method: str, rule: str) -> str:
    operation = spec["paths"][rule][method]
    return f"{operation.get('summary', '')} {operation.get('description', '')}".lower()


def assert_documented(spec, method: str, rule: str, response, status: int, code: str) -> None:
    """The answer is `status` with `code`, and the document names that code under it."""
    assert (response.status_code, response.get_json()["code"]) == (status, code)
    assert code in spec["paths"][rule][method]["responses"][str(status)]["description"]


LISTS = [
    ("/api/v1/fees/summary", "/api/v1/fees/summary?compound=aa&period=2026-11"),
    ("/api/v1/fees/unpaid", "/api/v1/fees/unpaid?compound=aa&period=2026-11"),
    ("/api/v1/fees/export.xlsx", "/api/v1/fees/export.xlsx?compound=aa&period=2026-11"),
    ("/api/v1/fees/unpaid-bills", "/api/v1/fees/unpaid-bills?household_id={household}"),
    ("/api/v1/ledger", "/api/v1/ledger?compound=aa"),
    ("/api/v1/offline-payments", "/api/v1/offline-payments?compound=aa"),
    ("/api/v1/compounds/{code}/payment-anomalies", "/api/v1/compounds/aa/payment-anomalies"),
    ("/api/v1/compounds/{code}/payment-reports", "/api/v1/compounds/aa/payment-reports"),
    ("/api/v1/compounds/{code}/failed-messages", "/api/v1/compounds/aa/failed-messages"),
    ("/api/v1/issues/stats", "/api/v1/issues/stats?compound=aa&month=2026-11"),
    ("/api/v1/units/{unit_id}/households", "/api/v1/units/{unit}/households"),
    ("/api/v1/bindings", "/api/v1/bindings"),
    ("/api/v1/compounds/{code}/contracts", "/api/v1/compounds/aa/contracts"),
    ("/api/v1/compounds/{code}/income", "/api/v1/compounds/aa/income"),
]


@pytest.mark.parametrize(("rule", "url"), LISTS, ids=[rule for rule, _ in LISTS])
def test_the_roles_a_summary_names_are_those_that_may_call_it(client, world, spec, rule, url):
    text = described(spec, "get", rule)
    named = {who for who, word in ROLE_WORDS.items() if word and word in text}
    assert named, f"{rule}: the summary names no role: {text!r}"
    url = url.format(household=world.household("1-1-101").id, unit=world.units[0].id)
    allowed = {
        who for who in ROLE_WORDS if client.get(url, headers=world.headers(who)).status_code == 200
    }
    assert allowed == named, f"{rule}: {text!r}"


def test_a_photo_is_documented_as_seen_by_whoever_may_see_its_issue(client, world, spec):
    photo = uploaded_id(client, world)
    reported_id(client, world, photos=[photo])

    seen = client.get(f"/api/v1/uploads/{photo}", headers=world.headers("liaison_1_1"))
    assert seen.status_code == 200  # not the uploader: the issue's liaison
    text = described(spec, "get", "/api/v1/uploads/{upload_id}")
    assert "whoever may see its issue" in text
    assert "only" not in text


def test_errors_are_named_under_their_status(client, sandbox, world, spec):
    def post(who, url, body):
        return client.post(url, json=body, headers=world.headers(who))

    blocked = sign_in(client, "risky")
    assert_documented(spec, "post", "/api/v1/auth/login", blocked, 403, "wechat_user_blocked")

    room = {"compound": "aa", "building": 1, "unit": 1, "room": "102", "name": "张阿姨"}
    post("outsider", "/api/v1/bindings", {**room, "relation": "tenant"})
    again = post("outsider", "/api/v1/bindings", {**room, "relation": "tenant"})
    assert_documented(spec, "post", "/api/v1/bindings", again, 409, "binding_pending")

    (slip, *_) = invites.issue(None, "aa", unit="1-2")
    redeem = {"code": slip.code, "name": "刘师傅", "relation": "family"}
    assert post("outsider", "/api/v1/invites/redeem", redeem).status_code == 200
    used = post("committee_2", "/api/v1/invites/redeem", redeem)
    assert_documented(spec, "post", "/api/v1/invites/redeem", used, 409, "invite_used")
    own_slip = post("committee", "/api/v1/invites", {"compound": "aa", "unit": "1-1"})
    own_code = own_slip.get_json()["items"][0]["code"]
    own = post("committee", "/api/v1/invites/redeem", {**redeem, "code": own_code})
    assert_documented(spec, "post", "/api/v1/invites/redeem", own, 403, "own_invite")

    photo = {"category": "repair", "title": "灯", "description": "坏了", "photos": [999999]}
    photo["household_id"] = world.household("1-1-101").id
    bad_photo = post("resident_1_1", "/api/v1/issues", photo)
    assert_documented(spec, "post", "/api/v1/issues", bad_photo, 400, "photo_invalid")

    theirs = [bill.id for bill in bills_of(world, "1-2-101")]
    foreign = post("resident_1_1", "/api/v1/payments", {"bill_ids": theirs})
    assert_documented(spec, "post", "/api/v1/payments", foreign, 404, "bill_not_found")

    other = world.household("1-2-101").id
    not_mine = client.get(
        f"/api/v1/bills?household_id={other}", headers=world.headers("resident_1_1")
    )
    assert_documented(spec, "get", "/api/v1/bills", not_mine, 404, "household_not_found")


def test_offline_payment_errors_are_named_under_their_status(client, world, spec):
    bills = bills_of(world, "1-1-101")
    cash = {
        "bill_ids": [bill.id for bill in bills],
        "method": "cash",
        "amount_fen": sum(bill.amount_fen for bill in bills),
        "paid_on": shanghai_date(-1).isoformat(),
    }
    rule = "/api/v1/offline-payments"
    short = client.post(rule, json={**cash, "amount_fen": 1}, headers=world.headers("liaison_1_1"))
    assert_documented(spec, "post", rule, short, 400, "amount_mismatch")

    recorded = client.post(rule, json=cash, headers=world.headers("committee"))
    assert recorded.status_code == 201
    confirm = f"{rule}/{recorded.get_json()['id']}/confirm"
    own = client.post(confirm, headers=world.headers("committee"))
    assert_documented(spec, "post", rule + "/{payment_id}/confirm", own, 403, "same_person")


def test_each_tag_is_named_once_and_every_operation_has_one_of_them(spec):
    names = [tag["name"] for tag in spec["tags"]]
    assert len(names) == len(set(names)), names  # OpenAPI: tag names are unique
    used = {
        tag
        for path_item in spec["paths"].values()
        for operation in path_item.values()
        if isinstance(operation, dict)
        for tag in operation.get("tags", [])
    }
    assert used <= set(names)
    assert "Fees" in names
