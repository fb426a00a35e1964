"""An archived compound is read-only: every write of its data answers 409
`compound_archived` and changes nothing; every read still answers 200.

The routes come from the app's url_map: a write route (POST/PUT/PATCH/DELETE) must be
in WRITES (called here, as the person who could otherwise do it, on a compound that has
data in every state) or in EXEMPT with the reason; a GET route must be in READS or
EXEMPT_READS. A new route in neither fails `test_every_route_is_checked_or_exempt`, so
a write added later is refused or its exemption explained.
"""

from __future__ import annotations

import copy
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from server.clock import utcnow
from server.extensions import db
from server.models import (
    AuditEvent,
    Base,
    Compound,
    Membership,
    PaymentAnomaly,
    Proposal,
)
from server.services.decisions import closing as decision_closing
from server.services.disclosures import freeze as disclosure_freeze
from server.services.issues import closing, deadlines, return_visits
from server.services.money import fees, pending_orders, reminders
from server.services.people import bindings, invites
from tests.conftest import built_once, savepoint_session
from tests.decisions_helpers import closed, make_due, record_paper, voted, voting_proposal
from tests.factories import (
    add_person,
    bill_of,
    build_world,
    care_tagged,
    fund_money,
    self_governance_fee,
    stair_electricity_fee,
)
from tests.steps import (
    acted,
    added_contract,
    decide,
    expense_stepped,
    notify,
    opened_payment,
    pay_at_wechat,
    proposed_expense,
    recorded_cash,
    recorded_income,
    report,
    reported_id,
    uploaded_id,
)
from tests.timing import month, shanghai_date

# About routing, not dates: `make test-clock` leaves these out.
pytestmark = pytest.mark.routes

CODE = "ar"
ROOM = {"compound": CODE, "building": 1, "unit": 2, "room": "102", "name": "赵阿姨"}

# route → (method, url, json body, who): who could do it were the compound open.
WRITES = {
    "/api/v1/bindings": ("post", "/api/v1/bindings", {**ROOM, "relation": "tenant"}, "outsider"),
    "/api/v1/bindings/<int:request_id>/approve": (
        "post",
        "/api/v1/bindings/{binding}/approve",
        None,
        "liaison_1_1",
    ),
    "/api/v1/bindings/<int:request_id>/reject": (
        "post",
        "/api/v1/bindings/{binding}/reject",
        {"reason": "不是本单元住户"},
        "liaison_1_1",
    ),
    "/api/v1/bindings/<int:request_id>/cancel": (
        "post",
        "/api/v1/bindings/{binding}/cancel",
        None,
        "outsider",
    ),
    "/api/v1/compounds/<string(maxlength=32):code>": (
        "patch",
        f"/api/v1/compounds/{CODE}",
        {"name": "新名字小区"},
        "admin",
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/fee-items/<string(maxlength=32):item>": (
        "patch",
        f"/api/v1/compounds/{CODE}/fee-items/self_governance",
        {"rate": "0.40"},
        "committee",
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/payment-anomalies/<int:anomaly_id>/resolve": (
        "post",
        f"/api/v1/compounds/{CODE}/payment-anomalies/{{anomaly}}/resolve",
        {"resolution": "已通过微信退款", "refunded_fen": 2533},
        "committee",
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/pending-changes/<int:change_id>/confirm": (
        "post",
        f"/api/v1/compounds/{CODE}/pending-changes/{{change}}/confirm",
        {"acknowledge_flag": True},
        "committee",
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/pending-changes/<int:change_id>/reject": (
        "post",
        f"/api/v1/compounds/{CODE}/pending-changes/{{change}}/reject",
        {"reason": "读数不对"},
        "committee",
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/policies/<string(maxlength=16):category>": (
        "put",
        f"/api/v1/compounds/{CODE}/policies/repair",
        {"accept_hours": 12, "resolve_days": 3},
        "committee",
    ),
    "/api/v1/proposals/<int:proposal_id>/ballots": (
        "post",
        "/api/v1/proposals/{voting_proposal}/ballots",
        {"household_id": "{household}", "choice": "yes"},
        "resident_1_1",
    ),
    "/api/v1/proposals/<int:proposal_id>/paper-ballots": (
        "post",
        "/api/v1/proposals/{voting_proposal}/paper-ballots",
        {"household_id": "{paper_household}", "choice": "no", "photo": "{paper_photo}"},
        "liaison_1_1",
    ),
    "/api/v1/paper-ballots/<int:ballot_id>/confirm": (
        "post",
        "/api/v1/paper-ballots/{paper_ballot}/confirm",
        None,
        "liaison_1_2",
    ),
    "/api/v1/paper-ballots/<int:ballot_id>/reject": (
        "post",
        "/api/v1/paper-ballots/{paper_ballot}/reject",
        {"reason": "没有签字"},
        "liaison_1_2",
    ),
    "/api/v1/proposals/<int:proposal_id>/close": (
        "post",
        "/api/v1/proposals/{due_proposal}/close",
        None,
        "committee",
    ),
    "/api/v1/invites": ("post", "/api/v1/invites", {"compound": CODE}, "committee"),
    "/api/v1/invites/redeem": (
        "post",
        "/api/v1/invites/redeem",
        {"code": "{invite}", "name": "赵阿姨", "relation": "owner"},
        "outsider",
    ),
    "/api/v1/issues": (
        "post",
        "/api/v1/issues",
        {
            "category": "repair",
            "title": "楼道灯不亮",
            "description": "二楼楼道灯坏了",
            "household_id": "{household}",
        },
        "resident_1_1",
    ),
    "/api/v1/issues/<int:issue_id>/transitions": (
        "post",
        "/api/v1/issues/{open_issue}/transitions",
        {"action": "accept"},
        "committee",
    ),
    "/api/v1/issues/<int:issue_id>/return-visit": (
        "post",
        "/api/v1/issues/{closed_issue}/return-visit",
        {"fixed": False, "note": "灯又不亮了"},
        "resident_1_1",
    ),
    "/api/v1/meter-readings": (
        "post",
        "/api/v1/meter-readings",
        {"unit_id": "{unit}", "period": month(-1), "amount_fen": 450},
        "liaison_1_1",
    ),
    "/api/v1/meter-readings/<int:reading_id>/void": (
        "post",
        "/api/v1/meter-readings/{confirmed_reading}/void",
        {"reason": "读数抄错"},
        "committee",
    ),
    "/api/v1/offline-payments": (
        "post",
        "/api/v1/offline-payments",
        {
            "bill_ids": ["{unpaid_bill}"],
            "method": "cash",
            "amount_fen": 2533,
            "paid_on": "{yesterday}",
        },
        "liaison_1_2",
    ),
    "/api/v1/offline-payments/<int:payment_id>/confirm": (
        "post",
        "/api/v1/offline-payments/{offline}/confirm",
        None,
        "committee",
    ),
    "/api/v1/offline-payments/<int:payment_id>/reject": (
        "post",
        "/api/v1/offline-payments/{offline}/reject",
        {"reason": "金额不对"},
        "committee",
    ),
    "/api/v1/payments": (
        "post",
        "/api/v1/payments",
        {"bill_ids": ["{payable_bill}"]},
        "resident_1_2",
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/role-invites": (
        "post",
        f"/api/v1/compounds/{CODE}/role-invites",
        {"role": "liaison", "unit": "1-2", "name": "钱师傅"},
        "committee",
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/role-invites/<int:invite_id>/revoke": (
        "post",
        f"/api/v1/compounds/{CODE}/role-invites/{{role_invite}}/revoke",
        None,
        "committee",
    ),
    "/api/v1/role-invites/redeem": (
        "post",
        "/api/v1/role-invites/redeem",
        {"code": "{role_code}"},
        "outsider",
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/memberships/<int:membership_id>/term": (
        "patch",
        f"/api/v1/compounds/{CODE}/memberships/{{committee_membership}}/term",
        {"term_start": "{term_start}", "term_end": "{term_end}"},
        "committee_2",  # another member's term: one's own is refused
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/roster": (
        "post",
        f"/api/v1/compounds/{CODE}/roster",
        {"__file__": "楼栋,单元,房号,建筑面积(m²)\n3,1,101,80.50\n".encode()},
        "committee",
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/disclosures": (
        "post",
        f"/api/v1/compounds/{CODE}/disclosures",
        {"month": "{period}"},
        "committee",
    ),
    "/api/v1/disclosures/<int:disclosure_id>/sign-off": (
        "post",
        "/api/v1/disclosures/{draft_disclosure}/sign-off",
        None,
        "supervisor",
    ),
    "/api/v1/disclosures/<int:disclosure_id>/object": (
        "post",
        "/api/v1/disclosures/{draft_disclosure}/object",
        {"reason": "少了一张票据"},
        "supervisor",
    ),
    "/api/v1/disclosures/<int:disclosure_id>/publish": (
        "post",
        "/api/v1/disclosures/{signed_disclosure}/publish",
        None,
        "committee",
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/handovers": (
        "post",
        f"/api/v1/compounds/{CODE}/handovers",
        {"unit": "1-1", "to_user_id": "{successor}"},
        "committee",
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/expenses": (
        "post",
        f"/api/v1/compounds/{CODE}/expenses",
        {
            "fund": "fee:self_governance",
            "amount_fen": 12000,
            "purpose": "买扫帚",
            "payee": "五金店",
            "category": "cleaning",
        },
        "committee",
    ),
    "/api/v1/expenses/<int:expense_id>/approve": (
        "post",
        "/api/v1/expenses/{expense}/approve",
        {},
        "supervisor",
    ),
    "/api/v1/expenses/<int:expense_id>/object": (
        "post",
        "/api/v1/expenses/{expense}/object",
        {"reason": "报价偏高"},
        "supervisor",
    ),
    "/api/v1/expenses/<int:expense_id>/change": (
        "post",
        "/api/v1/expenses/{expense}/change",
        {"amount_fen": 30000},
        "committee",
    ),
    "/api/v1/expenses/<int:expense_id>/withdraw": (
        "post",
        "/api/v1/expenses/{expense}/withdraw",
        {},
        "committee",
    ),
    "/api/v1/expenses/<int:expense_id>/confirm": (
        "post",
        "/api/v1/expenses/{large_expense}/confirm",
        None,
        "committee_2",
    ),
    "/api/v1/expenses/<int:expense_id>/pay": (
        "post",
        "/api/v1/expenses/{approved_expense}/pay",
        {"paid_on": "{yesterday}", "method": "cash"},
        "committee_2",
    ),
    "/api/v1/expenses/<int:expense_id>/reverse": (
        "post",
        "/api/v1/expenses/{paid_expense}/reverse",
        {"reason": "付错了"},
        "committee",
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/assets": (
        "post",
        f"/api/v1/compounds/{CODE}/assets",
        {"kind": "parking", "name": "东门车位 2 号"},
        "committee",
    ),
    "/api/v1/assets/<int:asset_id>": (
        "patch",
        "/api/v1/assets/{asset}",
        {"name": "西门广告牌"},
        "committee",
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/contracts": (
        "post",
        f"/api/v1/compounds/{CODE}/contracts",
        {
            "counterparty": "便民超市",
            "kind": "rent",
            "price_fen": 80000,
            "cycle": "yearly",
            "start_on": "{yesterday}",
            "end_on": "{term_end}",
        },
        "committee",
    ),
    "/api/v1/contracts/<int:contract_id>/end": (
        "post",
        "/api/v1/contracts/{contract}/end",
        {"reason": "对方停业"},
        "committee",
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/income": (
        "post",
        f"/api/v1/compounds/{CODE}/income",
        {"kind": "donation", "amount_fen": 10000, "received_on": "{yesterday}", "method": "cash"},
        "committee",
    ),
    "/api/v1/income/<int:income_id>/confirm": (
        "post",
        "/api/v1/income/{income}/confirm",
        None,
        "committee_2",
    ),
    "/api/v1/income/<int:income_id>/reject": (
        "post",
        "/api/v1/income/{income}/reject",
        {"reason": "金额不对"},
        "committee_2",
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/announcements": (
        "post",
        f"/api/v1/compounds/{CODE}/announcements",
        {"title": "停水通知", "body": "明天上午停水", "urgent": True},
        "committee",
    ),
    "/api/v1/announcements/<int:announcement_id>/withdraw": (
        "post",
        "/api/v1/announcements/{announcement}/withdraw",
        None,
        "committee",
    ),
    # Owners' decisions: a draft and a proposal on notice.
    "/api/v1/compounds/<string(maxlength=32):code>/proposals": (
        "post",
        f"/api/v1/compounds/{CODE}/proposals",
        {"title": "更换单元门", "body": "单元门锈坏，拟更换。", "matter": 9},
        "committee",
    ),
    "/api/v1/proposals/<int:proposal_id>": (
        "patch",
        "/api/v1/proposals/{draft_proposal}",
        {"title": "更换 1 号楼单元门"},
        "committee",
    ),
    "/api/v1/proposals/<int:proposal_id>/publish": (
        "post",
        "/api/v1/proposals/{draft_proposal}/publish",
        {},
        "committee",
    ),
    "/api/v1/proposals/<int:proposal_id>/withdraw": (
        "post",
        "/api/v1/proposals/{notice_proposal}/withdraw",
        {"reason": "重新测算"},
        "committee",
    ),
    "/api/v1/proposals/<int:proposal_id>/open": (
        "post",
        "/api/v1/proposals/{notice_proposal}/open",
        {"closes_at": "{closes_at}"},
        "committee",
    ),
    "/api/v1/proposals/<int:proposal_id>/comments": (
        "post",
        "/api/v1/proposals/{notice_proposal}/comments",
        {"body": "同意更换"},
        "resident_1_1",
    ),
    # Care visits: the cadences, recording a household's open visit.
    "/api/v1/compounds/<string(maxlength=32):code>/care/cadences": (
        "put",
        f"/api/v1/compounds/{CODE}/care/cadences",
        {"items": [{"tag": "elderly_alone", "every_days": 14}]},
        "committee",
    ),
    "/api/v1/visits/<int:visit_id>/record": (
        "post",
        "/api/v1/visits/{care_visit}/record",
        {"how": "good", "note": "身体不错"},
        "liaison_1_2",
    ),
    # Personal information (PIPL): erasing one's own household's census data.
    "/api/v1/me/household-data/erasure": (
        "post",
        "/api/v1/me/household-data/erasure",
        {"household_id": "{household}", "confirm": True},
        "resident_1_1",
    ),
    # Screening sweeps: one open over the whole compound.
    "/api/v1/compounds/<string(maxlength=32):code>/campaigns": (
        "post",
        f"/api/v1/compounds/{CODE}/campaigns",
        {"type": "safety", "title": "消防排查", "scope": "compound", "due_on": "{campaign_due}"},
        "committee",
    ),
    "/api/v1/campaigns/<int:campaign_id>/results": (
        "post",
        "/api/v1/campaigns/{campaign}/results",
        {"household_id": "{household}", "items": [{"item": "灭火器", "ok": True}]},
        "liaison_1_1",
    ),
    "/api/v1/campaigns/<int:campaign_id>/close": (
        "post",
        "/api/v1/campaigns/{campaign}/close",
        None,
        "committee",
    ),
    # Census (helper "census"): a household's record, its members and tags, the import.
    "/api/v1/households/<int:household_id>/members": (
        "post",
        "/api/v1/households/{household}/members",
        {"name": "张阿姨", "relation": "family", "age_band": "60_69", "consent": True},
        "liaison_1_1",
    ),
    "/api/v1/households/<int:household_id>/members/<int:member_id>": (
        "patch",
        "/api/v1/households/{household}/members/{census_member}",
        {"age_band": "80_plus"},
        "liaison_1_1",
    ),
    "/api/v1/households/<int:household_id>/tags": (
        "put",
        "/api/v1/households/{household}/tags",
        {"tags": ["elderly_alone"]},
        "liaison_1_1",
    ),
    "/api/v1/households/<int:household_id>/confirm": (
        "post",
        "/api/v1/households/{household}/confirm",
        {"occupancy": "lives_here"},
        "resident_1_1",
    ),
    "/api/v1/households/<int:household_id>/move-out": (
        "post",
        "/api/v1/households/{household}/move-out",
        None,
        "liaison_1_1",
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/census/import": (
        "post",
        f"/api/v1/compounds/{CODE}/census/import?dry_run=false",
        {"__file__": "楼号,单元,房号,姓名,关系\n1,1,102,孙大爷,业主\n".encode()},
        "committee",
    ),
}

# Write routes that stay open, and why.
EXEMPT = {
    "/api/v1/auth/login": "signing in writes the person's own account, no compound's data",
    "/api/v1/compounds": "opens a new compound (the street office); touches no existing one",
    "/api/v1/compounds/<string(maxlength=32):code>/archive": (
        "archiving an archived compound again changes nothing (compound_admin.archive)"
    ),
    "/api/v1/me/notifications/read": "the person's own inbox, whatever compound a message is of",
    "/api/v1/me/subscriptions": "the person's own consent to WeChat pushes, no compound's data",
    "/api/v1/me/shared-phone": "the volunteer's own number, shown to the units they serve",
    "/api/v1/compounds/<string(maxlength=32):code>/memberships/<int:membership_id>/revoke": (
        "taking access to the compound's people away is always allowed "
        "(test_a_role_is_still_taken_away_in_an_archived_compound)"
    ),
    "/api/v1/wechat/official-account": (
        "WeChat tells of a follow/unfollow of the official account: the person's own reach"
    ),
    "/api/v1/uploads": (
        "a photo belongs to no compound until attached, and every attaching (a report, an "
        "issue action, a cash record) is refused"
    ),
    "/api/v1/payments/wechat/notify": (
        "money: WeChat Pay's word that an order opened before archiving was paid is always "
        "recorded (test_money_paid_before_archiving_is_still_recorded)"
    ),
    "/api/v1/payments/wechat/notify/<string(maxlength=32):merchant>": (
        "money: the same notification for a named merchant (v2 or v3), always recorded"
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/refunds": (
        "money: this world has no paid order to refund; the archived refusal is "
        "test_an_archived_compound_refunds_nothing (test_refunds.py)"
    ),
    "/api/v1/payments/wechat/refund-notify/<string(maxlength=32):merchant>": (
        "money: WeChat Pay's word that a refund confirmed before archiving ended is always "
        "recorded (the money went back)"
    ),
    "/api/v1/console/scan": "reads a computer's QR code: no compound's data is written",
    "/api/v1/console/confirm": (
        "signs a computer in as the person (their own session): what the desk then writes "
        "goes through the same services, which refuse an archived compound's writes"
    ),
    "/api/v1/console/sessions": "signs the person's own computers out",
    "/api/v1/console/sessions/<int:session_id>": "signs one of the person's computers out",
    "/api/v1/payments/<int:payment_id>/cancel": (
        "money: closing an order opened before archiving takes no money in (WeChat Pay is "
        "asked first: a paid one is credited); the reconcile job does the same at expiry"
    ),
}
# Read routes not called here, and why.
EXEMPT_READS = {
    "/api/v1/compounds/<string(maxlength=32):code>/refunds": (
        f"/api/v1/compounds/{CODE}/refunds",
        "supervisor",
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/payments/<int:payment_id>/refundable": (
        f"/api/v1/compounds/{CODE}/payments/{{payment}}/refundable",
        "committee",
    ),
    "/api/v1/console/sessions": ("/api/v1/console/sessions", "committee"),
    "/api/v1/docs/assets/<name>": "the API docs page's scripts and styles, no data",
    "/api/v1/wechat/official-account": "WeChat's signed check of the callback URL, no data",
    "/api/v1/compounds/<string(maxlength=32):code>/refunds/<int:refund_id>": (
        "this world has no refund; read once archived in test_an_archived_compound_refunds_nothing"
    ),
}

# GET route → (url, who).
READS = {
    "/api/v1/announcements/<int:announcement_id>": (
        "/api/v1/announcements/{announcement}",
        "resident_1_1",
    ),
    "/api/v1/announcements/<int:announcement_id>/unread-households": (
        "/api/v1/announcements/{announcement}/unread-households",
        "liaison_1_1",
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/announcements": (
        f"/api/v1/compounds/{CODE}/announcements",
        "resident_1_1",
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/board": (
        f"/api/v1/compounds/{CODE}/board",
        "resident_1_1",
    ),
    "/api/v1/proposals/<int:proposal_id>/paper-ballots": (
        "/api/v1/proposals/{voting_proposal}/paper-ballots",
        "liaison_1_2",
    ),
    "/api/v1/proposals/<int:proposal_id>/roll": (
        "/api/v1/proposals/{voting_proposal}/roll",
        "liaison_1_1",
    ),
    "/api/v1/proposals/<int:proposal_id>/result": (
        "/api/v1/proposals/{closed_proposal}/result",
        "resident_1_1",
    ),
    "/api/v1/proposals/<int:proposal_id>/audit": (
        "/api/v1/proposals/{closed_proposal}/audit",
        "supervisor",
    ),
    "/api/v1/bills": ("/api/v1/bills", "resident_1_1"),
    "/api/v1/bindings": ("/api/v1/bindings", "liaison_1_1"),
    "/api/v1/compounds": ("/api/v1/compounds", "admin"),
    "/api/v1/compounds/<string(maxlength=32):code>": (f"/api/v1/compounds/{CODE}", "resident_1_1"),
    "/api/v1/compounds/<string(maxlength=32):code>/failed-messages": (
        f"/api/v1/compounds/{CODE}/failed-messages",
        "committee",
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/fee-items": (
        f"/api/v1/compounds/{CODE}/fee-items",
        "committee",
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/payment-anomalies": (
        f"/api/v1/compounds/{CODE}/payment-anomalies",
        "committee",
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/payment-reports": (
        f"/api/v1/compounds/{CODE}/payment-reports",
        "supervisor",
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/pending-changes": (
        f"/api/v1/compounds/{CODE}/pending-changes",
        "committee",
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/policies": (
        f"/api/v1/compounds/{CODE}/policies",
        "resident_1_1",
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/reachability": (
        f"/api/v1/compounds/{CODE}/reachability",
        "committee",
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/assets": (
        f"/api/v1/compounds/{CODE}/assets",
        "resident_1_1",
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/contracts": (
        f"/api/v1/compounds/{CODE}/contracts",
        "supervisor",
    ),
    "/api/v1/contracts/<int:contract_id>": ("/api/v1/contracts/{contract}", "committee"),
    "/api/v1/compounds/<string(maxlength=32):code>/income": (
        f"/api/v1/compounds/{CODE}/income",
        "supervisor",
    ),
    "/api/v1/config": ("/api/v1/config", "resident_1_1"),
    "/api/v1/docs": ("/api/v1/docs", None),
    "/api/v1/openapi.json": ("/api/v1/openapi.json", None),
    "/api/v1/fees/export.xlsx": (
        f"/api/v1/fees/export.xlsx?compound={CODE}&period={{period}}",
        "committee",
    ),
    "/api/v1/fees/summary": (
        f"/api/v1/fees/summary?compound={CODE}&period={{period}}",
        "committee",
    ),
    "/api/v1/fees/unpaid": (f"/api/v1/fees/unpaid?compound={CODE}&period={{period}}", "committee"),
    "/api/v1/fees/unpaid-bills": (
        "/api/v1/fees/unpaid-bills?household_id={household}",
        "liaison_1_1",
    ),
    "/api/v1/issues": ("/api/v1/issues", "resident_1_1"),
    "/api/v1/issues/<int:issue_id>": ("/api/v1/issues/{open_issue}", "resident_1_1"),
    "/api/v1/issues/register.xlsx": (f"/api/v1/issues/register.xlsx?compound={CODE}", "committee"),
    "/api/v1/issues/stats": (f"/api/v1/issues/stats?compound={CODE}&month={{period}}", "committee"),
    "/api/v1/ledger": (f"/api/v1/ledger?compound={CODE}", "supervisor"),
    "/api/v1/me": ("/api/v1/me", "resident_1_1"),
    "/api/v1/me/bindings": ("/api/v1/me/bindings", "outsider"),
    "/api/v1/me/notifications": ("/api/v1/me/notifications", "resident_1_1"),
    "/api/v1/me/subscriptions": ("/api/v1/me/subscriptions", "liaison_1_1"),
    "/api/v1/me/tasks": ("/api/v1/me/tasks", "liaison_1_1"),
    "/api/v1/me/liaisons": ("/api/v1/me/liaisons", "resident_1_1"),
    "/api/v1/compounds/<string(maxlength=32):code>/people": (
        f"/api/v1/compounds/{CODE}/people",
        "supervisor",
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/role-invites": (
        f"/api/v1/compounds/{CODE}/role-invites",
        "committee",
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/audit-log": (
        f"/api/v1/compounds/{CODE}/audit-log",
        "supervisor",
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/handovers": (
        f"/api/v1/compounds/{CODE}/handovers",
        "committee",
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/roster/template.xlsx": (
        f"/api/v1/compounds/{CODE}/roster/template.xlsx",
        "committee",
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/overview": (
        f"/api/v1/compounds/{CODE}/overview",
        "committee",
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/handovers/preview": (
        f"/api/v1/compounds/{CODE}/handovers/preview?unit=1-1",
        "committee",
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/disclosures": (
        f"/api/v1/compounds/{CODE}/disclosures",
        "resident_1_1",
    ),
    "/api/v1/disclosures/<int:disclosure_id>": (
        "/api/v1/disclosures/{published_disclosure}",
        "resident_1_1",
    ),
    "/api/v1/disclosures/<int:disclosure_id>.pdf": (
        "/api/v1/disclosures/{published_disclosure}.pdf",
        "resident_1_1",
    ),
    "/api/v1/disclosures/<int:disclosure_id>/verify": (
        "/api/v1/disclosures/{published_disclosure}/verify",
        None,
    ),
    "/api/v1/meter-readings": ("/api/v1/meter-readings?unit_id={unit}", "liaison_1_1"),
    "/api/v1/offline-payments": (f"/api/v1/offline-payments?compound={CODE}", "committee"),
    "/api/v1/payments": ("/api/v1/payments", "resident_1_1"),
    "/api/v1/payments/<int:payment_id>": ("/api/v1/payments/{payment}", "resident_1_1"),
    "/api/v1/units/<int:unit_id>/households": ("/api/v1/units/{unit}/households", "liaison_1_1"),
    "/api/v1/compounds/<string(maxlength=32):code>/funds": (
        f"/api/v1/compounds/{CODE}/funds",
        "resident_1_1",
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/expenses": (
        f"/api/v1/compounds/{CODE}/expenses",
        "resident_1_1",
    ),
    "/api/v1/expenses/<int:expense_id>": ("/api/v1/expenses/{paid_expense}", "resident_1_1"),
    "/api/v1/uploads/<int:upload_id>": ("/api/v1/uploads/{upload}", "resident_1_1"),
    "/api/v1/compounds/<string(maxlength=32):code>/proposals": (
        f"/api/v1/compounds/{CODE}/proposals",
        "resident_1_1",
    ),
    "/api/v1/proposals/<int:proposal_id>": ("/api/v1/proposals/{notice_proposal}", "resident_1_1"),
    "/api/v1/proposals/<int:proposal_id>/comments": (
        "/api/v1/proposals/{notice_proposal}/comments",
        "resident_1_1",
    ),
    # Care visits: the cadences, a household's visits.
    "/api/v1/compounds/<string(maxlength=32):code>/care/cadences": (
        f"/api/v1/compounds/{CODE}/care/cadences",
        "liaison_1_1",
    ),
    "/api/v1/households/<int:household_id>/visits": (
        "/api/v1/households/{care_household}/visits",
        "liaison_1_2",
    ),
    # Personal information (PIPL): notices, the access log, a household's own data.
    "/api/v1/consent/<string(maxlength=16):kind>": ("/api/v1/consent/census", None),
    "/api/v1/compounds/<string(maxlength=32):code>/access-log": (
        f"/api/v1/compounds/{CODE}/access-log",
        "supervisor",
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/access-log/export": (
        f"/api/v1/compounds/{CODE}/access-log/export",
        "committee",
    ),
    "/api/v1/me/household-data": (
        "/api/v1/me/household-data?household_id={household}",
        "resident_1_1",
    ),
    "/api/v1/me/household-views": (
        "/api/v1/me/household-views?household_id={household}",
        "resident_1_1",
    ),
    # Screening sweeps.
    "/api/v1/campaign-templates": ("/api/v1/campaign-templates", "liaison_1_1"),
    "/api/v1/compounds/<string(maxlength=32):code>/campaigns": (
        f"/api/v1/compounds/{CODE}/campaigns",
        "liaison_1_1",
    ),
    "/api/v1/campaigns/<int:campaign_id>": ("/api/v1/campaigns/{campaign}", "liaison_1_1"),
    "/api/v1/campaigns/<int:campaign_id>/households": (
        "/api/v1/campaigns/{campaign}/households?unit_id={unit}",
        "liaison_1_1",
    ),
    "/api/v1/campaigns/<int:campaign_id>/export": (
        "/api/v1/campaigns/{campaign}/export",
        "committee",
    ),
    # Census (helper "census").
    "/api/v1/households/<int:household_id>/census": (
        "/api/v1/households/{household}/census",
        "liaison_1_1",
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/census/households": (
        f"/api/v1/compounds/{CODE}/census/households",
        "liaison_1_1",
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/census/coverage": (
        f"/api/v1/compounds/{CODE}/census/coverage",
        "committee",
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/census/template": (
        f"/api/v1/compounds/{CODE}/census/template",
        "committee",
    ),
    "/api/v1/compounds/<string(maxlength=32):code>/census/export": (
        f"/api/v1/compounds/{CODE}/census/export",
        "committee",
    ),
}

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def api_routes(app) -> tuple[set[str], set[str]]:
    """(write routes, read routes) of the API, by rule."""
    writes, reads = set(), set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        if rule.methods & WRITE_METHODS:
            writes.add(rule.rule)
        if "GET" in rule.methods:
            reads.add(rule.rule)
    return writes, reads


def test_every_route_is_checked_or_exempt(app):
    writes, reads = api_routes(app)
    assert writes - set(WRITES) - set(EXEMPT) == set(), "new write routes: add to WRITES or EXEMPT"
    assert reads - set(READS) - set(EXEMPT_READS) == set(), "new reads: add to READS"
    # Nothing listed that the app does not have (a renamed route would pass unseen).
    assert set(WRITES) | set(EXEMPT) == writes
    assert set(READS) | set(EXEMPT_READS) == reads
    assert not set(WRITES) & set(EXEMPT)
    assert not set(READS) & set(EXEMPT_READS)


def build_archived(client) -> tuple:
    """Compound "ar" with data in every state, then archived: (world, ids for the urls)."""
    world = build_world(CODE)
    add_person(world, "admin", "admin", None)
    ids = {"household": world.household_ids["1-1-101"], "unit": world.units[0].id}
    ids["successor"] = world.people["resident_1_2"].id
    # Issues: one waiting, one closed whose return visit is asked.
    ids["upload"] = uploaded_id(client, world)
    ids["open_issue"] = reported_id(client, world, photos=[ids["upload"]])
    ids["closed_issue"] = closed_and_asked(client, world)
    # A binding request waiting, and a door invite unused.
    asked = client.post(
        "/api/v1/bindings",
        json={**ROOM, "unit": 1, "relation": "owner"},
        headers=world.headers("outsider"),
    )
    assert asked.status_code == 201, asked.get_json()
    ids["binding"] = asked.get_json()["id"]
    ids["invite"] = invites.issue(None, CODE, unit="1-2")[0].code
    # Money: bills, an open WeChat order, cash waiting, an anomaly.
    self_governance_fee(world.compound)
    fees.generate_bills(month(0), CODE)
    ids.update(spending(client, world))
    payment = opened_payment(client, world, [bill_of(world, "1-1-101").id])
    ids["payment"] = payment.id
    ids["offline"] = recorded_cash(client, world, bill_of(world, "1-1-102"))
    ids["unpaid_bill"] = bill_of(world, "1-2-102").id
    ids["payable_bill"] = bill_of(world, "1-2-101").id
    anomaly = PaymentAnomaly(
        compound_id=world.compound.id,
        payment_id=payment.id,
        kind="double_payment",
        details={"refund_due_fen": 2533},
    )
    db.session.add(anomaly)
    db.session.flush()
    ids["anomaly"] = anomaly.id
    # Meter readings: one waiting for a second person, one confirmed (bills made).
    stair_electricity_fee(world.compound)
    db.session.commit()
    ids["change"] = reading(client, world, "liaison_1_1", world.units[0].id)["open_change"]["id"]
    second = reading(client, world, "liaison_1_2", world.units[1].id)
    assert decide(client, world, second["open_change"]["id"], "committee").status_code == 200
    ids["confirmed_reading"] = second["id"]
    # Role invites: one to void, one to redeem; the committee member's term.
    for key in ("role_invite", "role_code"):
        invited = client.post(
            f"/api/v1/compounds/{CODE}/role-invites",
            json={"role": "liaison", "unit": "1-2"},
            headers=world.headers("committee"),
        )
        assert invited.status_code == 201, invited.get_json()
        ids[key] = invited.get_json()["id" if key == "role_invite" else "code"]
    ids["committee_membership"] = membership_of(world, "committee").id
    # Public income: an asset, a running contract, income waiting for a second member.
    asset = client.post(
        f"/api/v1/compounds/{CODE}/assets",
        json={"kind": "ad_space", "name": "东门广告牌"},
        headers=world.headers("committee"),
    )
    assert asset.status_code == 201, asset.get_json()
    ids["asset"] = asset.get_json()["id"]
    ids["contract"] = added_contract(client, world, asset_id=ids["asset"])["id"]
    ids["income"] = recorded_income(client, world, contract_id=ids["contract"])
    # Disclosures: a draft, a signed one, a published one (months gone by).
    for key, offset, status in (
        ("draft_disclosure", -1, "draft"),
        ("signed_disclosure", -2, "signed"),
        ("published_disclosure", -3, "published"),
    ):
        disclosure = disclosure_freeze.freeze(world.compound, month(offset), ids["successor"])
        disclosure.status = status
        ids[key] = disclosure.id
    ids.update(term_start=shanghai_date(-30).isoformat(), term_end=shanghai_date(1800).isoformat())
    # A notice on the board.
    posted = client.post(
        f"/api/v1/compounds/{CODE}/announcements",
        json={"title": "楼道清理", "body": "周六上午清理楼道杂物"},
        headers=world.headers("committee"),
    )
    assert posted.status_code == 201, posted.get_json()
    ids["announcement"] = posted.get_json()["id"]
    ids.update(proposals(client, world))
    ids.update(owners_decisions(client, world))
    ids.update(care_visit(world))
    ids.update(campaigns(client, world))
    ids.update(census_record(client, world))
    archived = client.post(f"/api/v1/compounds/{CODE}/archive", headers=world.headers("admin"))
    assert archived.status_code == 200, archived.get_json()
    db.session.commit()
    ids.update(period=month(0), yesterday=shanghai_date(-1).isoformat())
    return world, ids


def spending(client, world) -> dict:
    """Money in the self-governance fund and expenses in each state a step needs."""
    fund_money(world, 500000)
    made = {
        "expense": proposed_expense(client, world)["id"],
        "large_expense": proposed_expense(client, world, amount_fen=300000)["id"],
        "approved_expense": proposed_expense(client, world)["id"],
        "paid_expense": proposed_expense(client, world)["id"],
    }
    for key in ("approved_expense", "paid_expense"):
        expense_stepped(client, world, made[key], "supervisor", "approve")
    expense_stepped(
        client,
        world,
        made["paid_expense"],
        "committee_2",
        "pay",
        paid_on=shanghai_date(-1).isoformat(),
        method="cash",
    )
    return made


def proposals(client, world) -> dict:
    """Owners' decisions: a draft, and one on notice whose notice is over (so opening
    its vote would go through were the compound open)."""
    made = {}
    for key in ("draft_proposal", "notice_proposal"):
        drafted = client.post(
            f"/api/v1/compounds/{CODE}/proposals",
            json={"title": "更换单元门", "body": "单元门锈坏，拟更换。", "matter": 9},
            headers=world.headers("committee"),
        )
        assert drafted.status_code == 201, drafted.get_json()
        made[key] = drafted.get_json()["id"]
    shown = client.post(
        f"/api/v1/proposals/{made['notice_proposal']}/publish",
        json={},
        headers=world.headers("committee"),
    )
    assert shown.status_code == 200, shown.get_json()
    db.session.get(Proposal, made["notice_proposal"]).notice_ends_at = utcnow()
    made["closes_at"] = (utcnow() + timedelta(days=3)).isoformat()
    return made


def owners_decisions(client, world) -> dict:
    """Owners' decisions in each state a step needs: a vote running (an app ballot, a
    paper ballot waiting for a second volunteer, a fresh photo for another), a vote whose
    time has come, a closed one."""
    made = {"voting_proposal": voting_proposal(world), "due_proposal": voting_proposal(world)}
    voted(client, world, made["voting_proposal"], "1-1-101", "yes")
    photo = uploaded_id(client, world, who="liaison_1_1")
    paper = record_paper(client, world, made["voting_proposal"], "1-1-102", "yes", photo)
    assert paper.status_code == 201, paper.get_json()
    made["paper_ballot"] = paper.get_json()["id"]
    made["paper_household"] = world.household_ids["1-1-201"]
    made["paper_photo"] = uploaded_id(client, world, who="liaison_1_1")
    made["closed_proposal"] = voting_proposal(world)
    voted(client, world, made["closed_proposal"], "1-1-101", "no")
    closed(client, world, made["closed_proposal"])
    make_due(made["due_proposal"])
    return made


def care_visit(world) -> dict:
    """Care visits: 1-2-201 tagged (as the census tags it), its open visit due."""
    household, visit = care_tagged(world, "1-2-201", "disability")
    return {"care_visit": visit.id, "care_household": household.id}


def campaigns(client, world) -> dict:
    """Screening sweeps: one open over the whole compound, due in a week."""
    due = shanghai_date(7).isoformat()
    started = client.post(
        f"/api/v1/compounds/{CODE}/campaigns",
        json={"type": "safety", "title": "消防排查", "scope": "compound", "due_on": due},
        headers=world.headers("committee"),
    )
    assert started.status_code == 201, started.get_json()
    return {"campaign": started.get_json()["id"], "campaign_due": due}


def census_record(client, world) -> dict:
    """Census (helper "census"): a member registered at 1-1-101."""
    added = client.post(
        f"/api/v1/households/{world.household_ids['1-1-101']}/members",
        json={"name": "王秀兰", "relation": "owner", "age_band": "70_79", "consent": True},
        headers=world.headers("liaison_1_1"),
    )
    assert added.status_code == 201, added.get_json()
    return {"census_member": added.get_json()["id"]}


def membership_of(world, who: str, role: str | None = None) -> Membership:
    person = world.people[who]
    return db.session.scalars(
        select(Membership).where(
            Membership.user_id == person.id, Membership.role == (role or who.split("_")[0])
        )
    ).first()


def closed_and_asked(client, world) -> int:
    """An issue fixed, confirmed by its reporter, and its return visit asked."""
    issue = reported_id(client, world, title="单元门锁坏了")
    acted(client, world, issue, "committee", "accept")
    acted(client, world, issue, "committee", "resolve", note="已换新锁")
    acted(client, world, issue, "resident_1_1", "confirm", rating=5)
    assert return_visits.send_due(utcnow() + timedelta(days=8)) == 1
    return issue


def reading(client, world, who, unit_id) -> dict:
    body = {"unit_id": unit_id, "period": month(0), "amount_fen": 450}
    response = client.post("/api/v1/meter-readings", json=body, headers=world.headers(who))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def built_archived(client) -> tuple:
    """`build_archived`, its world's ids loaded (read in every test, detached)."""
    world, ids = build_archived(client)
    for row in (world.compound, *world.units, *world.households.values(), *world.people.values()):
        assert row.id
    return world, ids


@pytest.fixture(scope="module")
def _built(app, sandbox, tmp_path_factory):
    """Compound "ar", built once for the ~100 tests of this module (each test starts
    from it as built: see `built_once`)."""
    with built_once(app, tmp_path_factory, built_archived) as built:
        yield built


@pytest.fixture
def db_session(app, sandbox, _built):
    """The test's transaction: a savepoint of the module's, rolled back; the orders at
    WeChat Pay (the sandbox's, paid by some tests) put back as they were too."""
    with sandbox.pay.lock:
        orders = {key: copy.copy(order) for key, order in sandbox.pay.orders.items()}
        sent = sandbox.pay.notifications_sent
    try:
        with savepoint_session(app, _built[0]) as session:
            yield session
    finally:
        with sandbox.pay.lock:
            sandbox.pay.orders.clear()
            sandbox.pay.orders.update(orders)
            sandbox.pay.notifications_sent = sent


@pytest.fixture
def archived(_built, db_session):
    return _built[1]


def everything() -> dict[str, list]:
    """Every row of every table, in key order: what "changes nothing" compares."""
    rows = {}
    for table in Base.metadata.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        rows[table.name] = [
            tuple(row) for row in db.session.execute(select(table).order_by(*order))
        ]
    return rows


def fill(value, ids: dict):
    """A url or body with the fixture's ids put in ("{binding}" → 7)."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}") and value[1:-1] in ids:
            return ids[value[1:-1]]
        return value.format(**ids)
    if isinstance(value, dict):
        return {key: fill(item, ids) for key, item in value.items()}
    if isinstance(value, list):
        return [fill(item, ids) for item in value]
    return value


def send(client, method: str, url: str, body, headers: dict):
    """JSON, or a file upload when the body is {"__file__": bytes} (a roster)."""
    if isinstance(body, dict) and "__file__" in body:
        data = {"file": (io.BytesIO(body["__file__"]), "roster.csv")}
        return getattr(client, method)(
            url, data=data, content_type="multipart/form-data", headers=headers
        )
    return getattr(client, method)(url, json=body, headers=headers)


@pytest.mark.parametrize("route", sorted(WRITES))
def test_every_write_is_refused_and_changes_nothing(client, archived, route):
    world, ids = archived
    method, url, body, who = WRITES[route]
    before = everything()
    response = send(client, method, fill(url, ids), fill(body, ids), world.fresh_headers(who))
    assert response.status_code == 409, response.get_json()
    assert response.get_json() == {"code": "compound_archived", "message": "本小区已归档，只能查看"}
    db.session.expire_all()
    assert everything() == before


def test_every_read_still_answers(client, archived):
    world, ids = archived
    for route, (url, who) in sorted(READS.items()):
        headers = world.fresh_headers(who) if who else {}
        response = client.get(fill(url, ids), headers=headers)
        assert response.status_code == 200, (route, response.get_data(as_text=True)[:300])
    shown = client.get(f"/api/v1/issues/{ids['open_issue']}", headers=world.headers("committee"))
    assert shown.get_json()["status"] == "submitted"


@pytest.mark.parametrize("route", sorted(WRITES))
def test_the_write_would_work_were_the_compound_open(client, archived, route):
    """The cases above are real: reopened (directly in the database: there is no
    unarchiving), the same request goes through."""
    world, ids = archived
    db.session.get(Compound, world.compound.id).archived_at = None
    db.session.commit()
    method, url, body, who = WRITES[route]
    response = send(client, method, fill(url, ids), fill(body, ids), world.fresh_headers(who))
    assert 200 <= response.status_code < 300, response.get_json()


def test_an_order_opened_before_archiving_takes_no_more_money(client, archived):
    world, _ids = archived
    # Paying the same bill again would reuse the order opened before archiving.
    again = client.post(
        "/api/v1/payments",
        json={"bill_ids": [bill_of(world, "1-1-101").id]},
        headers=world.fresh_headers("resident_1_1"),
    )
    assert (again.status_code, again.get_json()["code"]) == (409, "compound_archived")


@pytest.mark.parametrize("told_by", ["notification", "reconciliation"])
def test_money_paid_before_archiving_is_still_recorded(client, sandbox, archived, told_by):
    world, ids = archived
    payment = client.get(
        f"/api/v1/payments/{ids['payment']}", headers=world.headers("resident_1_1")
    ).get_json()
    order = pay_at_wechat(sandbox, payment["out_trade_no"])
    if told_by == "notification":
        assert b"SUCCESS" in notify(client, sandbox, order).data
    else:  # the notification was lost: the job asks WeChat Pay
        assert pending_orders.reconcile(min_age=0).credited == 1
    assert bill_of(world, "1-1-101").status == "paid"
    paid = client.get(f"/api/v1/payments/{ids['payment']}", headers=world.headers("resident_1_1"))
    assert paid.get_json()["status"] == "paid"


def test_reporting_is_refused_in_plain_chinese(client, archived):
    world, _ids = archived
    refused = report(client, world)
    assert refused.get_json()["message"] == "本小区已归档，只能查看"


def test_the_jobs_leave_an_archived_compound_alone(client, archived):
    """Overdue issues are not escalated, resolved ones not closed by themselves, return
    visits not asked, bills not reminded, binding requests not expired, due votes not
    closed; reopened, each job acts (so the test can fail)."""
    world, _ids = archived
    while_open(client, world)
    later = utcnow() + timedelta(days=40)
    db.session.commit()
    before = everything()

    def run() -> list[int]:
        return [
            deadlines.escalate_overdue(later),
            closing.auto_close_due(later),
            return_visits.send_due(later),
            reminders.remind_unpaid(month(0)),
            bindings.expire_stale(later),
            decision_closing.close_due_proposals(later),
        ]

    assert run() == [0, 0, 0, 0, 0, 0]
    db.session.expire_all()
    assert everything() == before
    db.session.get(Compound, world.compound.id).archived_at = None
    db.session.commit()
    assert all(run())


def while_open(client, world) -> None:
    """Made while the compound was open (then archived again): an issue resolved, whose
    reporter never confirms, and one closed, whose return visit is yet to be asked."""
    compound = db.session.get(Compound, world.compound.id)
    archived_at, compound.archived_at = compound.archived_at, None
    db.session.commit()
    for title, actions in (("垃圾桶坏了", 2), ("楼道扶手松了", 3)):
        issue = reported_id(client, world, title=title)
        acted(client, world, issue, "committee", "accept")
        acted(client, world, issue, "committee", "resolve", note="已修好")
        if actions == 3:
            acted(client, world, issue, "resident_1_1", "confirm", rating=4)
    compound = db.session.get(Compound, world.compound.id)
    compound.archived_at = archived_at
    db.session.commit()


@pytest.fixture
def cli(app, db_session):
    return app.test_cli_runner()


def test_the_cli_grants_no_role_in_an_archived_compound(cli, client, archived):
    before = everything()
    for args in (
        ["grant-role", "new-chair", "committee", "--compound", CODE],
        ["grant-role", "new-liaison", "liaison", "--compound", CODE, "--unit", "1-1"],
    ):
        result = cli.invoke(args=args)
        assert result.exit_code != 0
        assert "本小区已归档，只能查看" in result.output
    db.session.expire_all()
    assert everything() == before


def test_a_role_is_still_taken_away_in_an_archived_compound(cli, client, archived):
    """A volunteer who has left loses access to the people's data even after archiving:
    by the committee (the frozen issues keep their handler) or by the operator."""
    world, ids = archived
    liaison_id = membership_of(world, "liaison_1_1", "liaison").id
    handled = ids["open_issue"]
    revoked = client.post(
        f"/api/v1/compounds/{CODE}/memberships/{liaison_id}/revoke",
        json={"reason": "已搬走"},
        headers=world.headers("committee"),
    )
    assert revoked.status_code == 200, revoked.get_json()
    db.session.expire_all()
    assert db.session.get(Membership, liaison_id) is None
    shown = client.get(f"/api/v1/issues/{handled}", headers=world.headers("liaison_1_1"))
    assert shown.status_code == 404  # no longer theirs to read
    result = cli.invoke(
        args=[
            "revoke-role",
            world.openid("liaison_1_2"),
            "liaison",
            "--compound",
            CODE,
            "--unit",
            "1-2",
        ]
    )
    assert result.exit_code == 0, result.output
    lines = db.session.scalars(
        select(AuditEvent.summary).where(AuditEvent.action == "revoked").order_by(AuditEvent.id)
    ).all()
    assert len(lines) == 2
    assert "已搬走" in lines[0]


def test_a_request_frozen_in_an_archived_compound_does_not_hold_up_its_requester(client, archived):
    """Nobody can decide or withdraw it any more, so it is not one of the requester's
    waiting ones: they may still ask for as many doors elsewhere as anyone."""
    world, _ids = archived
    build_world("op")
    db.session.commit()
    for room in ("101", "102", "201"):
        body = {"compound": "op", "building": 1, "unit": 1, "room": room, "name": "赵阿姨"}
        asked = client.post(
            "/api/v1/bindings",
            json={**body, "relation": "tenant"},
            headers=world.fresh_headers("outsider"),
        )
        assert asked.status_code == 201, asked.get_json()


def test_every_refused_write_documents_its_409(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for route, (method, *_rest) in WRITES.items():
        path = re.sub(r"<(?:[^<>]*:)?(\w+)>", r"{\1}", route)
        documented = spec["paths"][path][method]["responses"]
        assert "compound_archived" in documented["409"]["description"], route
