"""The desk keeps to the compound it is signed in for. A person who serves two compounds
(committee in A and in B) signs the desk in for A: every desk route that names an object
— in its address, a form field or a query — answers B's id as not found, acts on nothing
of B's, and shows none of B's data. The API lets this person reach B (they serve it);
the desk must not.

A guard test fails when a desk route taking an object id appears without a case here."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select, text

from server.clock import utcnow
from server.errors import AppError
from server.extensions import db
from server.models import (
    Compound,
    ConsoleSession,
    ConsoleTicket,
    Expense,
    Issue,
    OfflinePayment,
    PaymentAnomaly,
)
from server.services.console import tickets
from server.services.people import roles
from tests.conftest import built_once, savepoint_session
from tests.factories import add_person, make_bill, make_payment, self_governance_fee
from tests.server.console.desk import confirm, csrf, open_qr, signed_in
from tests.steps import reported_id, uploaded_id
from tests.timing import shanghai_date
from tests.two_compounds import build_two_compounds

# About routing, not dates: `make test-clock` leaves these out.
pytestmark = pytest.mark.routes

# A form that fills every field any desk action reads, valid where it can be: a refusal
# must come from the tenancy check, not from a missing field.
FORM = {
    "reason": "核对后不对，请重新登记",
    "note": "已处理",
    "resolution": "已退回多付的钱",
    "refunded_yuan": "",
    "paid_on": "",  # today, set in the test
    "method": "bank_transfer",
    "fixed": "yes",
    "rating": "5",
    "acknowledge_flag": "yes",
    "referral_body": "供电局",
    "purpose": "修门",
    "payee": "老张",
    "amount": "12.50",
    "period": "2026-11",
    "month": "2026-11",
}

# rule → (method, url with {ids}, extra form fields with {ids})
CASES = {
    "/console/anomalies/<int:anomaly_id>/resolve": (
        "post",
        "/console/anomalies/{anomaly}/resolve",
        {},
    ),
    "/console/anomalies/refunds/<int:change_id>/confirm": (
        "post",
        "/console/anomalies/refunds/{change}/confirm",
        {},
    ),
    "/console/anomalies/refunds/<int:change_id>/reject": (
        "post",
        "/console/anomalies/refunds/{change}/reject",
        {},
    ),
    "/console/changes/<int:change_id>/confirm": ("post", "/console/changes/{change}/confirm", {}),
    "/console/changes/<int:change_id>/reject": ("post", "/console/changes/{change}/reject", {}),
    "/console/disclosures/<int:disclosure_id>": ("get", "/console/disclosures/{disclosure}", {}),
    "/console/disclosures/<int:disclosure_id>.pdf": (
        "get",
        "/console/disclosures/{disclosure}.pdf",
        {},
    ),
    "/console/disclosures/<int:disclosure_id>/correct": (
        "post",
        "/console/disclosures/{disclosure}/correct",
        {},
    ),
    "/console/disclosures/<int:disclosure_id>/object": (
        "post",
        "/console/disclosures/{signed_disclosure}/object",
        {},
    ),
    "/console/disclosures/<int:disclosure_id>/publish": (
        "post",
        "/console/disclosures/{signed_disclosure}/publish",
        {},
    ),
    "/console/disclosures/<int:disclosure_id>/sign-off": (
        "post",
        "/console/disclosures/{draft_disclosure}/sign-off",
        {},
    ),
    "/console/expenses/<int:expense_id>": ("get", "/console/expenses/{expense}", {}),
    "/console/expenses/<int:expense_id>/approve": (
        "post",
        "/console/expenses/{expense}/approve",
        {},
    ),
    "/console/expenses/<int:expense_id>/change": ("post", "/console/expenses/{expense}/change", {}),
    "/console/expenses/<int:expense_id>/confirm": (
        "post",
        "/console/expenses/{expense}/confirm",
        {},
    ),
    "/console/expenses/<int:expense_id>/object": ("post", "/console/expenses/{expense}/object", {}),
    "/console/expenses/<int:expense_id>/pay": ("post", "/console/expenses/{expense}/pay", {}),
    "/console/expenses/<int:expense_id>/reverse": (
        "post",
        "/console/expenses/{expense}/reverse",
        {},
    ),
    "/console/expenses/<int:expense_id>/withdraw": (
        "post",
        "/console/expenses/{expense}/withdraw",
        {},
    ),
    "/console/income/<int:income_id>/confirm": ("post", "/console/income/{income}/confirm", {}),
    "/console/income/<int:income_id>/reject": ("post", "/console/income/{income}/reject", {}),
    "/console/income/contracts/<int:contract_id>": (
        "get",
        "/console/income/contracts/{contract}",
        {},
    ),
    "/console/income/contracts/<int:contract_id>/end": (
        "post",
        "/console/income/contracts/{contract}/end",
        {},
    ),
    "/console/issues/<int:issue_id>": ("get", "/console/issues/{issue}", {}),
    "/console/meter-readings/<int:reading_id>/void": (
        "post",
        "/console/meter-readings/{reading}/void",
        {"unit_id": "{unit}"},
    ),
    "/console/offline-payments/<int:payment_id>": (
        "get",
        "/console/offline-payments/{offline}",
        {},
    ),
    "/console/offline-payments/<int:payment_id>/confirm": (
        "post",
        "/console/offline-payments/{offline}/confirm",
        {},
    ),
    "/console/offline-payments/<int:payment_id>/reject": (
        "post",
        "/console/offline-payments/{offline}/reject",
        {},
    ),
    "/console/photos/<int:upload_id>": ("get", "/console/photos/{upload}", {}),
    **{
        f"/console/issues/<int:issue_id>/{action}": (
            "post",
            f"/console/issues/{{issue}}/{action}",
            {},
        )
        for action in (
            "accept",
            "confirm",
            "mark-duplicate",
            "refer",
            "reject",
            "reopen",
            "resolve",
            "return-visit",
        )
    },
    # The compound's people, decisions and care (cases for routes merged beside these).
    "/console/campaigns/<int:campaign_id>": ("get", "/console/campaigns/{campaign}", {}),
    "/console/campaigns/<int:campaign_id>/close": (
        "post",
        "/console/campaigns/{campaign}/close",
        {},
    ),
    "/console/campaigns/<int:campaign_id>/export.xlsx": (
        "get",
        "/console/campaigns/{campaign}/export.xlsx",
        {},
    ),
    "/console/paper-ballots/<int:ballot_id>/confirm": (
        "post",
        "/console/paper-ballots/{paper_ballot}/confirm",
        {},
    ),
    "/console/paper-ballots/<int:ballot_id>/reject": (
        "post",
        "/console/paper-ballots/{paper_ballot}/reject",
        {},
    ),
    "/console/people/<int:membership_id>/revoke": (
        "post",
        "/console/people/{membership}/revoke",
        {},
    ),
    "/console/people/<int:membership_id>/term": (
        "post",
        "/console/people/{membership}/term",
        {"term_start": "{today}", "term_end": "{next_year}"},
    ),
    "/console/people/invites/<int:invite_id>": (
        "get",
        "/console/people/invites/{role_invite}",
        {},
    ),
    "/console/people/invites/<int:invite_id>/qr.png": (
        "get",
        "/console/people/invites/{role_invite}/qr.png",
        {},
    ),
    "/console/people/invites/<int:invite_id>/revoke": (
        "post",
        "/console/people/invites/{role_invite}/revoke",
        {},
    ),
    "/console/proposals/<int:proposal_id>": ("get", "/console/proposals/{proposal}", {}),
    "/console/proposals/<int:proposal_id>/audit.xlsx": (
        "get",
        "/console/proposals/{voting_proposal}/audit.xlsx",
        {},
    ),
    "/console/proposals/<int:proposal_id>/result": (
        "get",
        "/console/proposals/{voting_proposal}/result",
        {},
    ),
    "/console/proposals/<int:proposal_id>/close": (
        "post",
        "/console/proposals/{voting_proposal}/close",
        {},
    ),
    "/console/proposals/<int:proposal_id>/open": (
        "post",
        "/console/proposals/{proposal}/open",
        {"closes_at": "{in_a_month}"},
    ),
    "/console/proposals/<int:proposal_id>/publish": (
        "post",
        "/console/proposals/{proposal}/publish",
        {},
    ),
    "/console/proposals/<int:proposal_id>/withdraw": (
        "post",
        "/console/proposals/{proposal}/withdraw",
        {},
    ),
    # Refunds through WeChat Pay (views/refunds.py).
    "/console/payments/<int:payment_id>/refund": ("get", "/console/payments/{payment}/refund", {}),
    "/console/refunds/changes/<int:change_id>/confirm": (
        "post",
        "/console/refunds/changes/{change}/confirm",
        {},
    ),
    "/console/refunds/changes/<int:change_id>/reject": (
        "post",
        "/console/refunds/changes/{change}/reject",
        {},
    ),
    "/console/roster/changes/<int:change_id>/confirm": (
        "post",
        "/console/roster/changes/{change}/confirm",
        {},
    ),
    "/console/roster/changes/<int:change_id>/reject": (
        "post",
        "/console/roster/changes/{change}/reject",
        {},
    ),
    "/console/visits/households/<int:household_id>": (
        "get",
        "/console/visits/households/{care_household}",
        {},
    ),
}
# Routes naming an object in a form field or the query rather than the address.
FIELD_CASES = {
    "meter reading of B's unit": (
        "post",
        "/console/meter-readings",
        {"unit_id": "{unit}", "amount": "12.50", "period": "2026-11"},
    ),
    "A's issue marked a duplicate of B's": (
        "post",
        "/console/issues/{a_issue}/mark-duplicate",
        {"duplicate_of": "{issue}"},
    ),
    "meter readings of B's unit": ("get", "/console/meter-readings?unit={unit}", {}),
    "an expense for B's issue": (
        "post",
        "/console/expenses",
        {
            "fund": "fee:self_governance",
            "amount": "350",
            "purpose": "更换楼道灯",
            "payee": "老张水电维修部",
            "category": "repair",
            "issue_id": "{issue}",
        },
    ),
    "income under B's contract": (
        "post",
        "/console/income",
        {
            "kind": "advertising",
            "amount": "500",
            "received_on": "{yesterday}",
            "method": "cash",
            "contract_id": "{contract}",
        },
    ),
    "a WeChat refund of B's payment": (
        "post",
        "/console/refunds",
        {"payment_id": "{payment}", "amount_yuan": "1.00"},
    ),
    "a WeChat refund of A's payment for B's anomaly": (
        "post",
        "/console/refunds",
        {"payment_id": "{a_payment}", "anomaly_id": "{anomaly}", "amount_yuan": "1.00"},
    ),
    "a contract for B's asset": (
        "post",
        "/console/income/contracts",
        {
            "counterparty": "某广告公司",
            "kind": "advertising",
            "cycle": "monthly",
            "start_on": "2026-12-01",
            "end_on": "2027-11-30",
            "price": "500",
            "asset_id": "{asset}",
        },
    ),
}
NOT_OBJECTS = {
    "/console/<path:unknown>",  # any other address: the 404 page
    "/console/static/<path:filename>",
    # Named within the desk's own compound: a fee item's code, a deadline policy's
    # category, a dashboard table's name.
    "/console/fees/<string(maxlength=32):item>/change",
    "/console/policies/<string(maxlength=16):category>",
    "/console/dashboard/<table>.xlsx",
}


@pytest.fixture(scope="module")
def _built(app, tmp_path_factory):
    with built_once(app, tmp_path_factory, build) as built:
        yield built


@pytest.fixture
def db_session(app, _built):
    with savepoint_session(app, _built[0]) as session:
        yield session


@pytest.fixture
def two_compounds(_built, db_session, app, monkeypatch):
    """(A, B, ids of B's objects and A's own issue and photo)."""
    monkeypatch.setitem(app.config, "CONSOLE_LOGIN_RATE", "1000/minute")
    return _built[1]


def build(client):
    """The API's two compounds; B's committee member and supervisor also serve on A's
    committee; A has its own fund and an issue with a photo (B's ids are then refused
    for being B's, not for want of anything in A)."""
    a, b, ids = build_two_compounds(client)
    for who in ("committee", "supervisor"):
        roles.grant(b.user_ids[who], "committee", a.compound)
    self_governance_fee(a.compound)
    add_person(b, "admin", "admin")  # of the platform: may sign into any open compound
    db.session.flush()
    a_upload = uploaded_id(client, a)
    a_issue = reported_id(
        client, a, category="hazard", title="门禁坏了", description="刷不开", photos=[a_upload]
    )
    paid = make_payment(a, [make_bill(a)], "paid", out_trade_no="LL-A-1", transaction_id="4200-A-1")
    a_anomaly = PaymentAnomaly(
        compound_id=a.compound.id,
        payment_id=paid.id,
        kind="double_payment",
        details={"refund_due_fen": 2533},
    )
    db.session.add(a_anomaly)
    db.session.flush()
    return (
        a,
        b,
        {
            **ids,
            "a_upload": a_upload,
            "a_issue": a_issue,
            "a_anomaly": a_anomaly.id,
            "a_payment": paid.id,
        },
    )


def desk_for_a(app, b, who: str):
    """B's `who`, also a committee member of A, at the desk signed in for A."""
    compound = db.session.scalar(select(Compound).where(Compound.code == "aa"))
    return signed_in(app, b, who, compound=compound.id)


def _desk_routes(app) -> set[str]:
    return {
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/console/") and rule.arguments
    }


def test_every_desk_route_taking_an_object_has_a_case(app):
    assert _desk_routes(app) - set(CASES) - NOT_OBJECTS == set(), "add a case for each"


def _state(ids) -> tuple:
    """What B's objects look like (an action on one would change it)."""
    db.session.expire_all()
    return (
        db.session.get(OfflinePayment, ids["offline"]).status,
        db.session.get(Expense, ids["expense"]).status,
        db.session.get(Issue, ids["issue"]).status,
    )


def _fill(value: str, ids: dict) -> str:
    days = {
        "yesterday": shanghai_date(-1).isoformat(),
        "today": shanghai_date(0).isoformat(),
        "next_year": shanghai_date(365).isoformat(),
        "in_a_month": f"{shanghai_date(30).isoformat()}T20:00",
        "in_a_week": shanghai_date(7).isoformat(),
    }
    return value.format(**ids, **days)


@pytest.mark.parametrize("who", ["committee", "supervisor"])
@pytest.mark.parametrize("route", sorted(CASES) + sorted(FIELD_CASES))
def test_the_desk_for_a_never_reaches_bs_objects(app, two_compounds, route, who):
    if route in CASES and route not in _desk_routes(app):
        pytest.skip("a case for a route not in this app (yet)")
    _a, b, ids = two_compounds
    desk = desk_for_a(app, b, who)
    method, url, extra = CASES.get(route) or FIELD_CASES[route]
    url = _fill(url, ids)
    before = _state(ids)
    if method == "get":
        response = desk.get(url)
        assert response.status_code == 404, (url, response.status_code)
        assert response.mimetype == "text/html"  # the error page, no file of B's
        assert 'class="flash error"' in response.get_data(as_text=True)
        return
    form = {**FORM, "paid_on": shanghai_date(0).isoformat(), "csrf_token": csrf(desk)}
    form.update({k: _fill(v, ids) for k, v in extra.items()})
    response = desk.post(url, data=form, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert 'class="flash success"' not in page, (url, page[:2000])
    assert response.status_code in (200, 400, 403, 404)
    assert _state(ids) == before


def test_the_desk_for_a_still_shows_a_s_own_photos_and_issues(app, two_compounds):
    _a, b, ids = two_compounds
    desk = desk_for_a(app, b, "committee")
    photo = desk.get(f"/console/photos/{ids['a_upload']}")
    assert photo.status_code == 200
    # Not kept by the browser: on a shared computer, the next person at it could open
    # the same address from the cache after sign-out, without a session.
    assert photo.headers["Cache-Control"] == "no-store"
    page = desk.get(f"/console/issues/{ids['a_issue']}").get_data(as_text=True)
    assert "门禁坏了" in page
    assert f"/console/photos/{ids['a_upload']}" in page


def test_a_role_ended_in_a_signs_the_desk_for_a_out_though_it_goes_on_in_b(app, two_compounds):
    _a, b, _ids = two_compounds
    desk = desk_for_a(app, b, "committee")
    assert desk.get("/console/").status_code == 200
    compound = db.session.scalar(select(Compound).where(Compound.code == "aa"))
    roles.revoke(b.user_ids["committee"], "committee", compound)
    db.session.commit()
    assert desk.get("/console/").headers["Location"].startswith("/console/login")
    assert desk.get("/console/payments").headers["Location"].startswith("/console/login")


# ----- bad input is a message on a page, never a 500 (nor the API's JSON) -----

ODD = [
    "9" * 40,
    "9" * 5000,  # past Python's 4300 digits for int()
    "-1",
    "0",
    "abc",
    "²",  # a digit to str.isdigit(), not to int()
    "١٢",
    "９",
    "日期",
    "1e999999",
    "NaN",
    "Infinity",
    "2026-02-30",
    "x" * 3000,
    "\u0000",
    "%",
    " ",
]
QUERIES = {
    "/console/": [],
    "/console/payments": ["kind", "status", "since", "until", "building", "cursor", "month"],
    "/console/payments/export.xlsx": ["month"],
    "/console/offline-payments": [],
    "/console/anomalies": ["open"],
    "/console/reconciliation": [],
    "/console/ledger": ["account", "cursor"],
    "/console/ledger/verify": [],
    "/console/issues": [
        "category",
        "status",
        "building_id",
        "overdue",
        "reported_from",
        "reported_to",
        "cursor",
        "limit",
    ],
    "/console/issues/register.xlsx": ["status", "building_id", "reported_from"],
    "/console/fees": [],
    "/console/meter-readings": ["unit"],
    "/console/funds": [],
    "/console/expenses": ["status", "waiting", "cursor"],
    "/console/income": ["status"],
    "/console/disclosures": [],
    # The compound's people, decisions and care (merged beside these).
    "/console/people": [],
    "/console/roster": [],
    "/console/roster/report": [],
    "/console/policies": [],
    "/console/handovers": ["before", "unit"],
    "/console/audit": ["cursor", "action"],
    "/console/access-log": ["from", "to", "household", "cursor"],
    "/console/access-log/export.xlsx": ["from", "to", "household"],
    "/console/proposals": ["status"],
    "/console/coverage": ["sensitive", "reason"],
    "/console/coverage/export.xlsx": ["sensitive", "reason"],
    "/console/campaigns": [],
    "/console/visits": ["unit"],
    "/console/refunds": ["status"],
}
FORMS = {
    "/console/anomalies/{a_anomaly}/resolve": ["refunded_yuan", "resolution"],
    "/console/offline-payments/{offline}/reject": ["reason"],
    "/console/meter-readings": ["unit_id", "amount", "period"],
    "/console/expenses": ["amount", "issue_id", "fund", "category"],
    "/console/income": ["amount", "received_on", "kind", "method", "contract_id"],
    "/console/income/contracts": ["price", "asset_id", "start_on", "end_on", "cycle"],
    "/console/income/assets": ["kind", "name"],
    "/console/disclosures": ["month"],
    "/console/fees/self_governance/change": ["rate", "cycle", "vacant_rule", "active"],
    "/console/changes/{change}/reject": ["reason"],
    "/console/refunds": ["amount_yuan", "reason", "payment_id", "anomaly_id"],
    "/console/issues/{a_issue}/mark-duplicate": ["duplicate_of", "note"],
    "/console/issues/{a_issue}/confirm": ["rating"],
    "/console/issues/{a_issue}/refer": ["referral_body", "follow_up_on"],
    # Care (merged beside these): the days between visits, a sweep's scope.
    "/console/visits/cadences": ["every_elderly_alone", "every_disability"],
    "/console/campaigns": ["scope", "due_on", "type"],
}


def _a_page_not_a_crash(response) -> bool:
    if response.status_code >= 500:
        return False
    return response.status_code < 400 or response.mimetype == "text/html"


def _skip_unless_a_page(app, page: str) -> None:
    endpoint, _args = app.url_map.bind("localhost").match(page, method="GET")
    if endpoint == "desk.not_found":
        pytest.skip("a page not in this app (yet)")


@pytest.mark.parametrize("page", sorted(QUERIES))
def test_odd_filters_are_a_message_not_a_crash(app, two_compounds, page):
    _skip_unless_a_page(app, page)
    _a, b, _ids = two_compounds
    desk = desk_for_a(app, b, "committee")
    crashed = [
        (name, value[:12], response.status_code)
        for name in QUERIES[page]
        for value in ODD
        if not _a_page_not_a_crash(response := desk.get(page, query_string={name: value}))
    ]
    assert crashed == []


@pytest.mark.parametrize("form", sorted(FORMS))
def test_odd_form_fields_are_a_message_not_a_crash(app, two_compounds, form):
    _a, b, ids = two_compounds
    desk = desk_for_a(app, b, "committee")
    url, token = _fill(form, ids), csrf(desk)
    endpoint, _args = app.url_map.bind("localhost").match(url, method="POST")
    if endpoint == "desk.not_found":
        pytest.skip("a form not in this app (yet)")
    base = {
        "resolution": "已处理",
        "reason": "核对不对",
        "amount": "1",
        "price": "1",
        "every_elderly_alone": "30",
        "every_disability": "30",
        "scope": "全小区",
        "title": "消防排查",
        "type": "safety",
        "due_on": "{in_a_week}",
    }
    base = {k: _fill(v, ids) for k, v in base.items()}
    crashed = [
        (name, value[:12], response.status_code)
        for name in FORMS[form]
        for value in ODD
        if not _a_page_not_a_crash(
            response := desk.post(url, data={**base, name: value, "csrf_token": token})
        )
    ]
    assert crashed == []


@pytest.mark.parametrize("page", ["/console/payments", "/console/ledger", "/console/expenses"])
def test_query_keys_that_url_for_reserves_are_ignored(app, two_compounds, page):
    """A page builds its paging links from its query: `_scheme`, `_external`, `_anchor`
    and `_method` mean something to url_for and must not reach it."""
    _a, b, _ids = two_compounds
    desk = desk_for_a(app, b, "committee")
    for odd in ("_scheme=javascript", "_external=1", "_anchor=x", "_method=POST"):
        answer = desk.get(f"{page}?cursor=abc&{odd}")
        assert answer.status_code in (200, 400), odd
        assert "javascript:" not in answer.get_data(as_text=True)
        assert "http://" not in answer.get_data(as_text=True)


def test_an_unknown_address_or_an_id_too_large_is_the_desks_404_page(app, two_compounds):
    _a, b, _ids = two_compounds
    desk = desk_for_a(app, b, "committee")
    for response in (
        desk.get("/console/no-such-page"),
        desk.get(f"/console/issues/{10**30}"),
        desk.post(f"/console/changes/{10**30}/reject", data={"csrf_token": csrf(desk)}),
    ):
        assert response.status_code == 404
        assert response.mimetype == "text/html"
        assert "找不到这个页面" in response.get_data(as_text=True)
    assert desk.post("/console/no-such-form").status_code == 400  # no CSRF token


def test_a_refund_typed_as_nan_or_too_long_is_refused_in_words(app, two_compounds):
    _a, b, ids = two_compounds
    desk = desk_for_a(app, b, "committee")
    anomaly = ids["a_anomaly"]
    for typed in ("NaN", "Infinity", "9" * 40, "1e999999"):
        page = desk.post(
            f"/console/anomalies/{anomaly}/resolve",
            data={"csrf_token": csrf(desk), "resolution": "已退", "refunded_yuan": typed},
            follow_redirects=True,
        ).get_data(as_text=True)
        assert "退款金额请填数字" in page, typed
    for typed in ("25,33", "25，33"):
        page = desk.post(
            f"/console/anomalies/{anomaly}/resolve",
            data={"csrf_token": csrf(desk), "resolution": "已退", "refunded_yuan": typed},
            follow_redirects=True,
        ).get_data(as_text=True)
        assert "退款金额请不要用逗号表示小数点" in page, typed
    assert db.session.get(PaymentAnomaly, anomaly).resolved_at is None


# ----- where a form sends the browser next: only back into the desk -----


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/console/",
        "//evil.example/console/",
        "/\\evil.example/",
        "/console/\nSet-Cookie: linli_desk=x",
        "/console/\r\nLocation: https://evil.example/",
        "javascript:alert(1)",
    ],
)
def test_signing_in_goes_on_only_to_a_desk_page(app, two_compounds, target):
    _a, b, _ids = two_compounds
    browser = app.test_client()
    qr, token = open_qr(browser)
    compound = db.session.scalar(select(Compound).where(Compound.code == "aa"))
    assert confirm(app.test_client(), b, "committee", qr, compound=compound.id).status_code == 200
    finished = browser.post("/console/login/finish", data={"login_token": token, "next": target})
    assert finished.status_code == 302
    assert finished.headers["Location"] == "/console/"


def test_signing_in_goes_on_to_the_desk_page_first_asked_for(app, two_compounds):
    _a, b, _ids = two_compounds
    browser = app.test_client()
    asked = browser.get("/console/payments?kind=offline")
    assert asked.headers["Location"].startswith("/console/login?next=")
    qr, token = open_qr(browser)
    compound = db.session.scalar(select(Compound).where(Compound.code == "aa"))
    confirm(app.test_client(), b, "committee", qr, compound=compound.id)
    finished = browser.post(
        "/console/login/finish",
        data={"login_token": token, "next": "/console/payments?kind=offline"},
    )
    assert finished.headers["Location"] == "/console/payments?kind=offline"


@pytest.mark.parametrize(
    "referrer",
    ["https://evil.example/console/fees", "//evil.example/console/fees", "/\\evil.example/"],
)
def test_an_action_goes_back_only_to_a_desk_page_of_this_site(app, two_compounds, referrer):
    _a, b, ids = two_compounds
    desk = desk_for_a(app, b, "committee")
    done = desk.post(
        f"/console/offline-payments/{ids['offline']}/reject",
        data={"csrf_token": csrf(desk), "reason": "不对"},
        headers={"Referer": referrer},
    )
    assert done.status_code == 302  # refused (B's), back to the desk's first page
    assert done.headers["Location"] == "/console/"


# ----- the QR ticket: claimed once, by its browser, in time -----

TICKET = "linli_desk_ticket"


def _confirmed(app, b):
    """A browser showing a QR code that B's committee member confirmed for A."""
    browser = app.test_client()
    qr, token = open_qr(browser)
    compound = db.session.scalar(select(Compound).where(Compound.code == "aa"))
    assert confirm(app.test_client(), b, "committee", qr, compound=compound.id).status_code == 200
    return browser, qr, token


def _sessions_of(user_id: int) -> int:
    return len(
        db.session.scalars(select(ConsoleSession).where(ConsoleSession.user_id == user_id)).all()
    )


def test_a_ticket_cookie_replayed_after_its_claim_starts_nothing(app, two_compounds):
    _a, b, _ids = two_compounds
    browser, _qr, token = _confirmed(app, b)
    cookie = browser.get_cookie(TICKET, path="/console").value
    assert browser.post("/console/login/finish", data={"login_token": token}).status_code == 302
    copy = app.test_client()
    copy.set_cookie(TICKET, cookie, path="/console")
    replayed = copy.post("/console/login/finish", data={"login_token": token})
    assert replayed.headers["Location"] == "/console/login"
    assert not any(c.startswith("linli_desk=") for c in replayed.headers.getlist("Set-Cookie"))
    assert _sessions_of(b.user_ids["committee"]) == 1


def test_of_two_claims_at_once_only_one_wins(app, two_compounds):
    """The second claim read the ticket before the first wrote it (a stale row): the
    conditional update refuses it."""
    _a, b, _ids = two_compounds
    browser, qr, _token = _confirmed(app, b)
    secret = browser.get_cookie(TICKET, path="/console").value.partition(".")[2]
    raw = qr.removeprefix(tickets.QR_PREFIX)
    stale = db.session.scalar(
        select(ConsoleTicket).where(ConsoleTicket.ticket_hash == tickets.digest(raw))
    )
    db.session.execute(
        text("UPDATE console_tickets SET claimed_at = :now WHERE id = :id"),
        {"now": utcnow(), "id": stale.id},
    )
    assert stale.claimed_at is None  # what the second claim sees
    with pytest.raises(AppError, match="已经用过了"):
        tickets.claim(qr, secret)


def test_a_confirmed_code_left_unclaimed_runs_out(app, two_compounds):
    _a, b, _ids = two_compounds
    browser, _qr, token = _confirmed(app, b)
    with time_machine.travel(utcnow() + timedelta(seconds=120 + 121), tick=False):
        late = browser.post("/console/login/finish", data={"login_token": token})
        assert late.headers["Location"] == "/console/login"
    assert _sessions_of(b.user_ids["committee"]) == 0


def test_a_busy_desk_is_still_signed_out_after_twelve_hours(app, two_compounds):
    _a, b, _ids = two_compounds
    start = utcnow()
    with time_machine.travel(start, tick=False):
        desk = desk_for_a(app, b, "committee")
    for minutes in range(20, 12 * 60, 20):  # never idle for long
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert desk.get("/console/").status_code == 200
    with time_machine.travel(start + timedelta(hours=12, minutes=1), tick=False):
        assert desk.get("/console/").headers["Location"].startswith("/console/login")


def test_the_qr_page_is_rate_limited_with_a_page(app, two_compounds, monkeypatch):
    monkeypatch.setitem(app.config, "CONSOLE_LOGIN_RATE", "2/minute")
    browser = app.test_client()
    answers = [
        browser.get("/console/login", environ_base={"REMOTE_ADDR": "10.9.8.7"}) for _ in range(3)
    ]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].mimetype == "text/html"
    assert "操作太频繁" in answers[2].get_data(as_text=True)
    assert 0 < int(answers[2].headers["Retry-After"]) <= 60


def test_a_broken_page_is_logged_by_path_and_shows_nothing_of_itself(
    app, two_compounds, monkeypatch, caplog
):
    _a, b, _ids = two_compounds
    desk = desk_for_a(app, b, "committee")

    def broken(*_args, **_kwargs):
        raise RuntimeError("secret internals: SELECT * FROM users")

    monkeypatch.setattr("server.console.views.ledger.reports.reports_for", broken)
    with caplog.at_level("ERROR"):
        answer = desk.get("/console/reconciliation?next=/console/abc&token=zzz")
    assert answer.status_code == 500
    page = answer.get_data(as_text=True)
    assert "服务器出了点问题" in page
    assert "secret internals" not in page
    logged = [r for r in caplog.records if r.levelname == "ERROR"]
    assert [r.getMessage() for r in logged] == ["unhandled error on GET /console/reconciliation"]
    cookie = desk.get_cookie("linli_desk", path="/console").value
    assert all(cookie not in r.getMessage() and "zzz" not in r.getMessage() for r in logged)


def test_a_form_sent_after_the_session_ended_leads_back_to_the_qr_page(app, two_compounds):
    """Not the JSON a script gets: the person is told to sign in again, and comes back
    to the page the form was on."""
    _a, b, ids = two_compounds
    desk = desk_for_a(app, b, "committee")
    token = csrf(desk)
    with time_machine.travel(utcnow() + timedelta(minutes=31), tick=False):
        sent = desk.post(
            f"/console/offline-payments/{ids['offline']}/confirm",
            data={"csrf_token": token},
            headers={"Referer": "http://localhost/console/offline-payments"},
        )
        assert sent.status_code == 303
        assert sent.headers["Location"] == "/console/login?next=/console/offline-payments"
        page = desk.get(sent.headers["Location"]).get_data(as_text=True)
        assert "登录已过期" in page
        fetched = desk.post(
            "/console/logout", data={"csrf_token": token}, headers={"X-Requested-With": "fetch"}
        )
        assert fetched.status_code == 401
        assert fetched.get_json()["code"] == "unauthorized"


def test_a_page_broken_by_a_failed_write_still_answers_the_error_page(
    app, two_compounds, monkeypatch, caplog
):
    """The session needs a rollback before the error page (the menu reads the person's
    roles, expired by an earlier commit)."""
    _a, b, _ids = two_compounds
    desk = desk_for_a(app, b, "committee")

    def broken(*_args, **_kwargs):
        db.session.commit()
        db.session.add(ConsoleSession())  # no token, no user: the flush fails
        db.session.flush()

    monkeypatch.setattr("server.console.views.ledger.reports.reports_for", broken)
    with caplog.at_level("ERROR"):
        answer = desk.get("/console/reconciliation")
    assert answer.status_code == 500
    assert "服务器出了点问题" in answer.get_data(as_text=True)
    assert desk.get("/console/").status_code == 200


@pytest.mark.parametrize("page", sorted(p for p in QUERIES if not p.endswith(".xlsx")))
def test_bs_data_never_appears_on_the_desk_for_a(app, two_compounds, page):
    _skip_unless_a_page(app, page)
    _a, b, ids = two_compounds
    desk = desk_for_a(app, b, "supervisor")
    answer = desk.get(page)
    assert answer.status_code in (200, 302)  # 302: a report with no import waiting
    shown = answer.get_data(as_text=True)
    link = f'/console/issues/{ids["issue"]}"'
    for theirs in ("楼道堆放杂物", "更换3单元楼道灯", "bb小区", link):
        assert theirs not in shown


def test_the_desk_for_b_shows_what_the_desk_for_a_must_not(app, two_compounds):
    _a, b, _ids = two_compounds
    theirs = db.session.scalar(select(Compound).where(Compound.code == "bb"))
    desk = signed_in(app, b, "committee", compound=theirs.id)
    assert "楼道堆放杂物" in desk.get("/console/issues").get_data(as_text=True)
    assert "更换3单元楼道灯" in desk.get("/console/expenses").get_data(as_text=True)


def test_a_query_that_is_not_text_is_the_desks_400_page(app, two_compounds):
    _a, b, _ids = two_compounds
    desk = desk_for_a(app, b, "committee")
    raw = b"since=\xff".decode("latin-1")  # as a WSGI server hands raw bytes over
    answer = desk.get("/console/payments", environ_overrides={"QUERY_STRING": raw})
    assert answer.status_code == 400
    assert answer.mimetype == "text/html"
    assert "请求有误" in answer.get_data(as_text=True)


def test_a_form_from_the_public_address_is_accepted_behind_a_proxy(app, two_compounds, monkeypatch):
    """Behind nginx the request may reach us as http://127.0.0.1:8000 (nginx passes no
    Host or scheme by default): the browser's Origin is then the public address, ours."""
    _a, b, ids = two_compounds
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://linli.example")
    desk = desk_for_a(app, b, "committee")
    token = csrf(desk)
    refused = desk.post(
        "/console/logout",
        data={"csrf_token": token},
        headers={"Origin": "https://evil.example"},
    )
    assert refused.status_code == 400
    out = desk.post(
        "/console/logout",
        data={"csrf_token": token},
        headers={"Origin": "https://linli.example"},  # we are reached as http://localhost
    )
    assert out.headers["Location"] == "/console/login"
    # And an action goes back to the page it was sent from, named by its public address.
    desk = desk_for_a(app, b, "committee")
    done = desk.post(
        f"/console/offline-payments/{ids['offline']}/reject",
        data={"csrf_token": csrf(desk), "reason": "不对"},
        headers={"Referer": "https://linli.example/console/payments?kind=offline"},
    )
    assert done.headers["Location"] == "/console/payments?kind=offline"


def test_a_form_too_large_is_the_desks_413_page(app, two_compounds, monkeypatch):
    _a, b, _ids = two_compounds
    desk = desk_for_a(app, b, "committee")
    # A small limit: a body of megabytes would sit in a temporary file of the test client.
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4000)
    big = io.BytesIO(b"\xff" * 5000)
    answer = desk.post(
        "/console/expenses",
        data={"csrf_token": csrf(desk), "receipt": (big, "big.jpg")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 413
    assert answer.mimetype == "text/html"
    assert "上传的文件太大" in answer.get_data(as_text=True)


def test_each_page_rechecks_the_admins_role_in_one_compound_not_the_whole_district(
    app, two_compounds, monkeypatch
):
    """The check before every page asks about the compound signed in for: listing every
    compound an admin may choose (the whole district) is the phone's, once."""
    _a, b, _ids = two_compounds
    compound = db.session.scalar(select(Compound).where(Compound.code == "aa"))
    desk = signed_in(app, b, "admin", compound=compound.id)

    def whole_district(*_args):
        raise AssertionError("listed every compound before a page")

    monkeypatch.setattr("server.services.console.tickets.console_compounds", whole_district)
    monkeypatch.setattr(
        "server.services.console.sessions.console_compounds", whole_district, raising=False
    )
    assert desk.get("/console/").status_code == 200
    compound.archived_at = utcnow()  # the admin signs into open compounds only
    db.session.commit()
    assert desk.get("/console/").headers["Location"].startswith("/console/login")


def test_the_phones_list_of_computers_names_their_compounds_only(app, two_compounds, monkeypatch):
    _a, b, _ids = two_compounds
    compound = db.session.scalar(select(Compound).where(Compound.code == "aa"))
    signed_in(app, b, "admin", compound=compound.id)

    def whole_district(*_args):
        raise AssertionError("listed every compound")

    for where in ("tickets", "sessions"):
        monkeypatch.setattr(
            f"server.services.console.{where}.console_compounds", whole_district, raising=False
        )
    listed = app.test_client().get("/api/v1/console/sessions", headers=b.headers("admin"))
    assert listed.status_code == 200
    assert [s["compound"]["name"] for s in listed.get_json()["items"]] == ["aa小区"]


def test_a_token_that_is_not_ascii_is_refused_not_a_crash(app, two_compounds):
    _a, b, _ids = two_compounds
    desk = desk_for_a(app, b, "committee")
    forged = desk.post("/console/logout", data={"csrf_token": "令牌"})
    assert forged.status_code == 400
    assert "页面已过期" in forged.get_data(as_text=True)
    browser, _qr, _token = _confirmed(app, b)
    odd = browser.post("/console/login/finish", data={"login_token": "令牌"})
    assert odd.headers["Location"] == "/console/login"
