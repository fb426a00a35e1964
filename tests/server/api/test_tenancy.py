"""Tenant isolation: nobody in compound A reaches an object of compound B.

Every API route that takes an object id is listed in CASES; a guard test fails
when a new such route appears without a case here.
"""

from __future__ import annotations

import pytest

from tests.conftest import built_once, savepoint_session
from tests.timing import shanghai_date
from tests.two_compounds import build_two_compounds

# About routing, not dates: `make test-clock` leaves these out.
pytestmark = pytest.mark.routes

ACTORS_IN_A = ["resident_1_1", "liaison_1_1", "lead_1", "committee", "supervisor"]

# (method, url template, json body) for every route taking an object id of B.
CASES = {
    "/api/v1/compounds/<string(maxlength=32):code>/announcements": (
        "get",
        "/api/v1/compounds/bb/announcements",
        None,
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/board": (
        "get",
        "/api/v1/compounds/bb/board",
        None,
    ),
    "/api/v1/announcements/<int:announcement_id>": (
        "get",
        "/api/v1/announcements/{announcement}",
        None,
    ),
    "/api/v1/announcements/<int:announcement_id>/withdraw": (
        "post",
        "/api/v1/announcements/{announcement}/withdraw",
        None,
    ),
    "/api/v1/announcements/<int:announcement_id>/unread-households": (
        "get",
        "/api/v1/announcements/{announcement}/unread-households",
        None,
    ),
    "/api/v1/proposals/<int:proposal_id>/ballots": (
        "post",
        "/api/v1/proposals/{voting_proposal}/ballots",
        {"household_id": 1, "choice": "yes"},
    ),
    "/api/v1/proposals/<int:proposal_id>/paper-ballots": (
        "get",
        "/api/v1/proposals/{voting_proposal}/paper-ballots",
        None,
    ),
    "/api/v1/proposals/<int:proposal_id>/roll": (
        "get",
        "/api/v1/proposals/{voting_proposal}/roll",
        None,
    ),
    "/api/v1/proposals/<int:proposal_id>/close": (
        "post",
        "/api/v1/proposals/{voting_proposal}/close",
        None,
    ),
    "/api/v1/proposals/<int:proposal_id>/result": (
        "get",
        "/api/v1/proposals/{voting_proposal}/result",
        None,
    ),
    "/api/v1/proposals/<int:proposal_id>/audit": (
        "get",
        "/api/v1/proposals/{voting_proposal}/audit",
        None,
    ),
    "/api/v1/paper-ballots/<int:ballot_id>/confirm": (
        "post",
        "/api/v1/paper-ballots/{paper_ballot}/confirm",
        None,
    ),
    "/api/v1/paper-ballots/<int:ballot_id>/reject": (
        "post",
        "/api/v1/paper-ballots/{paper_ballot}/reject",
        {"reason": "没有签字"},
    ),
    "/api/v1/bindings/<int:request_id>/approve": (
        "post",
        "/api/v1/bindings/{binding}/approve",
        None,
    ),
    "/api/v1/bindings/<int:request_id>/reject": (
        "post",
        "/api/v1/bindings/{binding}/reject",
        {"reason": "不是本单元住户"},
    ),
    "/api/v1/bindings/<int:request_id>/cancel": ("post", "/api/v1/bindings/{binding}/cancel", None),
    "/api/v1/uploads/<int:upload_id>": ("get", "/api/v1/uploads/{upload}", None),
    "/api/v1/issues/<int:issue_id>": ("get", "/api/v1/issues/{issue}", None),
    "/api/v1/units/<int:unit_id>/households": ("get", "/api/v1/units/{unit}/households", None),
    "/api/v1/payments/<int:payment_id>": ("get", "/api/v1/payments/{payment}", None),
    "/api/v1/payments/<int:payment_id>/cancel": (
        "post",
        "/api/v1/payments/{payment}/cancel",
        None,
    ),
    "/api/v1/offline-payments/<int:payment_id>/confirm": (
        "post",
        "/api/v1/offline-payments/{offline}/confirm",
        None,
    ),
    "/api/v1/offline-payments/<int:payment_id>/reject": (
        "post",
        "/api/v1/offline-payments/{offline}/reject",
        {"reason": "不对"},
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/fee-items": (
        "get",
        "/api/v1/compounds/bb/fee-items",
        None,
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/fee-items/<string(maxlength=32):item>": (
        "patch",
        "/api/v1/compounds/bb/fee-items/self_governance",
        {"rate": "9.99"},
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/payment-anomalies": (
        "get",
        "/api/v1/compounds/bb/payment-anomalies",
        None,
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/payment-anomalies/<int:anomaly_id>/resolve": (
        "post",
        "/api/v1/compounds/bb/payment-anomalies/{anomaly}/resolve",
        {"resolution": "已退款", "refunded_fen": 0},
    ),
    "/api/v1/meter-readings/<int:reading_id>/void": (
        "post",
        "/api/v1/meter-readings/{reading}/void",
        {"reason": "读数抄错"},
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/pending-changes": (
        "get",
        "/api/v1/compounds/bb/pending-changes",
        None,
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/pending-changes/<int:change_id>/confirm": (
        "post",
        "/api/v1/compounds/bb/pending-changes/{change}/confirm",
        {"acknowledge_flag": True},
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/pending-changes/<int:change_id>/reject": (
        "post",
        "/api/v1/compounds/bb/pending-changes/{change}/reject",
        {"reason": "不对"},
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/payment-reports": (
        "get",
        "/api/v1/compounds/bb/payment-reports",
        None,
    ),
    # Refunds through WeChat Pay (test_refunds.py): B's payment asked for through A.
    "/api/v1/compounds/<string(maxlength=32):code>/refunds": (
        "post",
        "/api/v1/compounds/bb/refunds",
        {"payment_id": 1, "amount_fen": 100, "reason": "退款"},
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/refunds/<int:refund_id>": (
        "get",
        "/api/v1/compounds/bb/refunds/1",
        None,
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/payments/<int:payment_id>/refundable": (
        "get",
        "/api/v1/compounds/aa/payments/{payment}/refundable",
        None,
    ),
    "/api/v1/issues/<int:issue_id>/transitions": (
        "post",
        "/api/v1/issues/{issue}/transitions",
        {"action": "accept"},
    ),
    "/api/v1/issues/<int:issue_id>/return-visit": (
        "post",
        "/api/v1/issues/{issue}/return-visit",
        {"fixed": False},
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/policies": (
        "get",
        "/api/v1/compounds/bb/policies",
        None,
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/policies/<string(maxlength=16):category>": (
        "put",
        "/api/v1/compounds/bb/policies/repair",
        {"accept_hours": 1, "resolve_days": 1},
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/failed-messages": (
        "get",
        "/api/v1/compounds/bb/failed-messages",
        None,
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/reachability": (
        "get",
        "/api/v1/compounds/bb/reachability",
        None,
    ),
    # A unit's handover: its preview lists people, the handover moves their work.
    "/api/v1/compounds/<string(maxlength=32):code>/handovers": (
        "post",
        "/api/v1/compounds/bb/handovers",
        {"unit": "1-1", "to_user_id": 1},
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/handovers/preview": (
        "get",
        "/api/v1/compounds/bb/handovers/preview?unit=1-1",
        None,
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/roster": (
        "post",
        "/api/v1/compounds/bb/roster?dry_run=true",
        None,
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/roster/template.xlsx": (
        "get",
        "/api/v1/compounds/bb/roster/template.xlsx",
        None,
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/overview": (
        "get",
        "/api/v1/compounds/bb/overview",
        None,
    ),
    # Appointing people (the committee's, and the street office's for any compound).
    "/api/v1/compounds/<string(maxlength=32):code>/role-invites": (
        "post",
        "/api/v1/compounds/bb/role-invites",
        {"role": "committee"},
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/role-invites/<int:invite_id>/revoke": (
        "post",
        "/api/v1/compounds/bb/role-invites/{role_invite}/revoke",
        None,
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/people": (
        "get",
        "/api/v1/compounds/bb/people",
        None,
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/memberships/<int:membership_id>/revoke": (
        "post",
        "/api/v1/compounds/bb/memberships/{membership}/revoke",
        {"reason": "不称职"},
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/memberships/<int:membership_id>/term": (
        "patch",
        "/api/v1/compounds/bb/memberships/{membership}/term",
        {"term_start": shanghai_date(0).isoformat(), "term_end": shanghai_date(900).isoformat()},
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/audit-log": (
        "get",
        "/api/v1/compounds/bb/audit-log",
        None,
    ),
    # Public income: assets, contracts, income records.
    "/api/v1/compounds/<string(maxlength=32):code>/assets": (
        "post",
        "/api/v1/compounds/bb/assets",
        {"kind": "parking", "name": "车位"},
    ),
    "/api/v1/assets/<int:asset_id>": ("patch", "/api/v1/assets/{asset}", {"name": "改名"}),
    "/api/v1/compounds/<string(maxlength=32):code>/contracts": (
        "get",
        "/api/v1/compounds/bb/contracts",
        None,
    ),
    "/api/v1/contracts/<int:contract_id>": ("get", "/api/v1/contracts/{contract}", None),
    "/api/v1/contracts/<int:contract_id>/end": (
        "post",
        "/api/v1/contracts/{contract}/end",
        {"reason": "对方违约"},
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/income": (
        "get",
        "/api/v1/compounds/bb/income",
        None,
    ),
    "/api/v1/income/<int:income_id>/confirm": ("post", "/api/v1/income/{income}/confirm", None),
    "/api/v1/income/<int:income_id>/reject": (
        "post",
        "/api/v1/income/{income}/reject",
        {"reason": "不对"},
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/disclosures": (
        "get",
        "/api/v1/compounds/bb/disclosures",
        None,
    ),
    "/api/v1/disclosures/<int:disclosure_id>": ("get", "/api/v1/disclosures/{disclosure}", None),
    "/api/v1/disclosures/<int:disclosure_id>.pdf": (
        "get",
        "/api/v1/disclosures/{disclosure}.pdf",
        None,
    ),
    "/api/v1/disclosures/<int:disclosure_id>/sign-off": (
        "post",
        "/api/v1/disclosures/{draft_disclosure}/sign-off",
        None,
    ),
    "/api/v1/disclosures/<int:disclosure_id>/object": (
        "post",
        "/api/v1/disclosures/{draft_disclosure}/object",
        {"reason": "不对"},
    ),
    "/api/v1/disclosures/<int:disclosure_id>/publish": (
        "post",
        "/api/v1/disclosures/{signed_disclosure}/publish",
        None,
    ),
    # The street office's (platform admin); nobody of a compound may archive one.
    "/api/v1/compounds/<string(maxlength=32):code>/archive": (
        "post",
        "/api/v1/compounds/bb/archive",
        None,
    ),
    # Money in the open: B's funds and expenses.
    "/api/v1/compounds/<string(maxlength=32):code>/funds": (
        "get",
        "/api/v1/compounds/bb/funds",
        None,
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/expenses": (
        "post",
        "/api/v1/compounds/bb/expenses",
        {
            "fund": "fee:self_governance",
            "amount_fen": 100,
            "purpose": "买扫帚",
            "payee": "五金店",
            "category": "cleaning",
        },
    ),
    "/api/v1/expenses/<int:expense_id>": ("get", "/api/v1/expenses/{expense}", None),
    "/api/v1/expenses/<int:expense_id>/approve": (
        "post",
        "/api/v1/expenses/{expense}/approve",
        {},
    ),
    "/api/v1/expenses/<int:expense_id>/object": (
        "post",
        "/api/v1/expenses/{expense}/object",
        {"reason": "不对"},
    ),
    "/api/v1/expenses/<int:expense_id>/change": (
        "post",
        "/api/v1/expenses/{expense}/change",
        {"amount_fen": 1},
    ),
    "/api/v1/expenses/<int:expense_id>/withdraw": (
        "post",
        "/api/v1/expenses/{expense}/withdraw",
        {},
    ),
    "/api/v1/expenses/<int:expense_id>/confirm": (
        "post",
        "/api/v1/expenses/{expense}/confirm",
        None,
    ),
    "/api/v1/expenses/<int:expense_id>/pay": (
        "post",
        "/api/v1/expenses/{expense}/pay",
        {"paid_on": shanghai_date(0).isoformat(), "method": "cash"},
    ),
    "/api/v1/expenses/<int:expense_id>/reverse": (
        "post",
        "/api/v1/expenses/{expense}/reverse",
        {"reason": "不对"},
    ),
    # Owners' decisions: B's proposal on notice.
    "/api/v1/compounds/<string(maxlength=32):code>/proposals": (
        "post",
        "/api/v1/compounds/bb/proposals",
        {"title": "更换单元门", "body": "拟更换。", "matter": 9},
    ),
    "/api/v1/proposals/<int:proposal_id>": ("get", "/api/v1/proposals/{proposal}", None),
    "/api/v1/proposals/<int:proposal_id>/publish": (
        "post",
        "/api/v1/proposals/{proposal}/publish",
        {},
    ),
    "/api/v1/proposals/<int:proposal_id>/withdraw": (
        "post",
        "/api/v1/proposals/{proposal}/withdraw",
        {"reason": "重新测算"},
    ),
    "/api/v1/proposals/<int:proposal_id>/open": (
        "post",
        "/api/v1/proposals/{proposal}/open",
        {"closes_at": "2099-01-01T00:00:00+08:00"},
    ),
    "/api/v1/proposals/<int:proposal_id>/comments": (
        "post",
        "/api/v1/proposals/{proposal}/comments",
        {"body": "同意"},
    ),
    # Care visits: B's cadences, B's open visit, a household of B's visits.
    "/api/v1/compounds/<string(maxlength=32):code>/care/cadences": (
        "put",
        "/api/v1/compounds/bb/care/cadences",
        {"items": [{"tag": "elderly_alone", "every_days": 14}]},
    ),
    "/api/v1/visits/<int:visit_id>/record": (
        "post",
        "/api/v1/visits/{care_visit}/record",
        {"how": "good"},
    ),
    "/api/v1/households/<int:household_id>/visits": (
        "get",
        "/api/v1/households/{care_household}/visits",
        None,
    ),
    # Personal information (PIPL): B's access log.
    "/api/v1/compounds/<string(maxlength=32):code>/access-log": (
        "get",
        "/api/v1/compounds/bb/access-log",
        None,
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/access-log/export": (
        "get",
        "/api/v1/compounds/bb/access-log/export",
        None,
    ),
    # Screening sweeps: B's open sweep.
    "/api/v1/compounds/<string(maxlength=32):code>/campaigns": (
        "post",
        "/api/v1/compounds/bb/campaigns",
        {"type": "safety", "title": "消防排查", "scope": "compound", "due_on": "2099-01-01"},
    ),
    "/api/v1/campaigns/<int:campaign_id>": ("get", "/api/v1/campaigns/{campaign}", None),
    "/api/v1/campaigns/<int:campaign_id>/households": (
        "get",
        "/api/v1/campaigns/{campaign}/households?unit_id={unit}",
        None,
    ),
    "/api/v1/campaigns/<int:campaign_id>/results": (
        "post",
        "/api/v1/campaigns/{campaign}/results",
        {"household_id": 1, "items": [{"item": "灭火器", "ok": True}]},
    ),
    "/api/v1/campaigns/<int:campaign_id>/close": (
        "post",
        "/api/v1/campaigns/{campaign}/close",
        None,
    ),
    "/api/v1/campaigns/<int:campaign_id>/export": (
        "get",
        "/api/v1/campaigns/{campaign}/export",
        None,
    ),
    # Census (helper "census"): B's household and compound.
    "/api/v1/households/<int:household_id>/census": (
        "get",
        "/api/v1/households/{census_household}/census",
        None,
    ),
    "/api/v1/households/<int:household_id>/members": (
        "post",
        "/api/v1/households/{census_household}/members",
        {"name": "张阿姨", "relation": "family", "age_band": "60_69", "consent": True},
    ),
    "/api/v1/households/<int:household_id>/members/<int:member_id>": (
        "patch",
        "/api/v1/households/{census_household}/members/{census_member}",
        {"age_band": "80_plus"},
    ),
    "/api/v1/households/<int:household_id>/tags": (
        "put",
        "/api/v1/households/{census_household}/tags",
        {"tags": ["elderly_alone"]},
    ),
    "/api/v1/households/<int:household_id>/confirm": (
        "post",
        "/api/v1/households/{census_household}/confirm",
        {},
    ),
    "/api/v1/households/<int:household_id>/move-out": (
        "post",
        "/api/v1/households/{census_household}/move-out",
        None,
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/census/households": (
        "get",
        "/api/v1/compounds/bb/census/households",
        None,
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/census/coverage": (
        "get",
        "/api/v1/compounds/bb/census/coverage",
        None,
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/census/template": (
        "get",
        "/api/v1/compounds/bb/census/template",
        None,
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/census/import": (
        "post",
        "/api/v1/compounds/bb/census/import?dry_run=true",
        None,
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/census/export": (
        "get",
        "/api/v1/compounds/bb/census/export?include_sensitive=true",
        None,
    ),
}
# Routes with a path parameter that is not an object of a compound.
NOT_OBJECTS = {
    # The directory of buildings and units (no people in it) is how a newcomer finds
    # their door; it is readable by anyone signed in who knows the compound's code.
    # (PATCH on it, renaming, is the platform admin's: test_compound_admin.)
    "/api/v1/compounds/<string(maxlength=32):code>",
    "/api/v1/docs/assets/<name>",  # the docs page's scripts and styles, no data
    # Checking a published disclosure is open to anyone who scans its paper (it shows
    # what the published disclosure shows); unpublished ones are 404 to all but the
    # compound's committee and supervisor (test_disclosure_verify).
    "/api/v1/disclosures/<int:disclosure_id>/verify",
    # The consent notices are the same texts for everyone (no sign-in): no compound's data.
    "/api/v1/consent/<string(maxlength=16):kind>",
    # A person's own computer sessions (电脑端): another person's id is 404
    # (tests/server/console/test_desk_sign_in.py).
    "/api/v1/console/sessions/<int:session_id>",
    # WeChat Pay's notifications for a named merchant: signed by WeChat Pay, not a person's
    # request; an order of another merchant is refused (test_pay_v3.py).
    "/api/v1/payments/wechat/notify/<string(maxlength=32):merchant>",
    # WeChat Pay's refund notifications: encrypted by WeChat Pay, not a person's request; a
    # refund of another merchant is refused (test_refunds.py).
    "/api/v1/payments/wechat/refund-notify/<string(maxlength=32):merchant>",
}


@pytest.fixture(scope="module")
def _built(app, tmp_path_factory):
    """The two compounds, built once for the ~350 tests of this module (each test
    starts from them as built: see `built_once`)."""
    with built_once(app, tmp_path_factory, build_two_compounds) as built:
        yield built


@pytest.fixture
def db_session(app, _built):
    """The test's transaction: a savepoint of the module's, rolled back."""
    with savepoint_session(app, _built[0]) as session:
        yield session


@pytest.fixture
def two_compounds(_built, db_session):
    """(world a, world b, ids of b's objects): A's people look for B's objects."""
    return _built[1]


def test_every_object_route_has_a_tenancy_case(app):
    routes = {
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.arguments
    }
    assert routes == set(CASES) | NOT_OBJECTS


@pytest.mark.parametrize("actor", ACTORS_IN_A)
@pytest.mark.parametrize("route", sorted(CASES))
def test_people_of_a_cannot_reach_objects_of_b(client, two_compounds, actor, route):
    a, _b, ids = two_compounds
    method, template, body = CASES[route]
    response = getattr(client, method)(template.format(**ids), json=body, headers=a.headers(actor))
    assert response.status_code in {403, 404}
    assert response.get_json()["code"]


@pytest.mark.parametrize("actor", ACTORS_IN_A)
def test_lists_in_a_never_show_b(client, two_compounds, actor):
    a, _b, ids = two_compounds
    headers = a.headers(actor)
    listing = client.get("/api/v1/bindings", headers=headers)
    if listing.status_code == 200:
        assert ids["binding"] not in [item["id"] for item in listing.get_json()["items"]]
    else:
        assert listing.status_code == 403
    me = client.get("/api/v1/me", headers=headers).get_json()
    assert {role["compound"] for role in me["roles"]} <= {"aa"}
    issues = client.get("/api/v1/issues", headers=headers).get_json()
    assert ids["issue"] not in [item["id"] for item in issues["items"]]
    scoped = client.get("/api/v1/issues?compound=bb", headers=headers).get_json()
    assert scoped["items"] == []


@pytest.mark.parametrize("actor", ACTORS_IN_A)
def test_nobody_in_a_issues_invites_for_b(client, two_compounds, actor):
    a, _b, _ids = two_compounds
    response = client.post("/api/v1/invites", json={"compound": "bb"}, headers=a.headers(actor))
    assert response.status_code == 404
    assert response.get_json()["code"] == "compound_not_found"


@pytest.mark.parametrize("actor", ACTORS_IN_A)
def test_nobody_in_a_reads_or_decides_bs_meter_readings(client, two_compounds, actor):
    a, _b, ids = two_compounds
    headers = a.headers(actor)
    listed = client.get(f"/api/v1/meter-readings?unit_id={ids['unit']}", headers=headers)
    assert (listed.status_code, listed.get_json()["code"]) == (404, "unit_not_found")
    # Through A's own code: B's change is not found there.
    confirm = client.post(
        f"/api/v1/compounds/aa/pending-changes/{ids['change']}/confirm", headers=headers
    )
    assert confirm.status_code in {403, 404}
    if confirm.status_code == 404:
        assert confirm.get_json()["code"] == "change_not_found"
    changes = client.get("/api/v1/compounds/aa/pending-changes", headers=headers)
    if changes.status_code == 200:
        assert changes.get_json()["items"] == []
    else:
        assert changes.get_json()["code"] == "committee_only"


def test_bs_committee_does_see_its_own_request(client, two_compounds):
    _a, b, ids = two_compounds
    listing = client.get("/api/v1/bindings", headers=b.headers("committee")).get_json()
    assert [item["id"] for item in listing["items"]] == [ids["binding"]]
