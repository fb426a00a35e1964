"""等你处理 on the dashboard: one line per kind of work waiting for the person at the desk,
with its count and the page where it is done; never what they recorded or proposed
themselves (the two-person rule refuses it), the supervisor's steps for the supervisor,
the committee's for the committee, and nothing of another compound."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
import time_machine

from server.extensions import db
from server.services.disclosures import freeze
from server.services.money import meter_readings
from server.services.people.access import load_principal
from tests.decisions_helpers import record_paper, voting_proposal
from tests.factories import (
    build_world,
    fund_money,
    make_bill,
    make_issue,
    second_account,
    self_governance_fee,
    stair_electricity_fee,
)
from tests.server.console.desk import signed_in, submit
from tests.steps import proposed_expense, recorded_cash, recorded_income, uploaded_id
from tests.timing import month, shanghai_day

NOW = shanghai_day(0, "10:00")
NOTHING = "现在没有等你处理的事"


@pytest.fixture(autouse=True)
def _many_sign_ins(app, monkeypatch):
    """These tests sign several people in; the QR page's rate limit is not under test."""
    monkeypatch.setitem(app.config, "CONSOLE_LOGIN_RATE", "1000/minute")


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(db_session, frozen):
    world = build_world("wt")
    self_governance_fee(world.compound)
    return world


@pytest.fixture
def other(db_session, frozen):
    other = build_world("wt-other")
    self_governance_fee(other.compound)
    return other


def waiting(app, world, who: str) -> list[tuple[str, str]]:
    """The 等你处理 lines `who` sees on the dashboard: (text, link)."""
    html = signed_in(app, world, who).get("/console/").get_data(as_text=True)
    section = re.search(r'<section class="waiting".*?</section>', html, re.S).group(0)
    assert '<h2 id="waiting-title">等你处理</h2>' in section
    if NOTHING in section:
        assert "<li>" not in section
        return []
    lines = []
    for item in re.findall(r"<li>(.*?)</li>", section, re.S):
        link = unescape(re.search(r'href="([^"]+)"', item).group(1))
        words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", item)).strip()
        lines.append((words, link))
    return lines


def propose_fee_change(client, world, who: str) -> None:
    proposed = client.patch(
        f"/api/v1/compounds/{world.compound.code}/fee-items/self_governance",
        json={"rate": "0.40"},
        headers=world.fresh_headers(who),
    )
    assert proposed.status_code == 202, proposed.get_json()


def prepare_disclosure(world) -> int:
    committee = load_principal(world.user_ids["committee"])
    return freeze.create(committee, world.compound.code, month(-1)).id


def test_nothing_waiting_says_so(app, world):
    for who in ("committee", "committee_2", "supervisor"):
        assert waiting(app, world, who) == []


def test_cash_recorded_by_a_liaison_waits_for_a_member_but_not_their_own(app, client, world):
    recorded_cash(client, world, make_bill(world, "1-1-101"))  # by liaison_1_1
    assert waiting(app, world, "committee") == [
        ("1 笔现金或转账等你确认 → 待确认的现金", "/console/offline-payments")
    ]
    recorded_cash(client, world, make_bill(world, "1-1-102"), who="committee")
    assert waiting(app, world, "committee") == [
        ("1 笔现金或转账等你确认 → 待确认的现金", "/console/offline-payments")
    ]
    assert waiting(app, world, "committee_2") == [
        ("2 笔现金或转账等你确认 → 待确认的现金", "/console/offline-payments")
    ]
    # The supervisor checks the cash but does not confirm it: nothing waits for her.
    assert waiting(app, world, "supervisor") == []


def test_what_the_members_other_wechat_account_recorded_is_not_theirs_to_confirm(
    app, client, world
):
    liaison = second_account(world, "committee", "liaison", world.units[0])
    recorded_cash(client, world, make_bill(world, "1-1-101"), who=liaison)
    assert waiting(app, world, "committee") == []
    assert waiting(app, world, "committee_2")[0][0].startswith("1 笔现金")


def test_a_fee_change_waits_for_the_other_member_only(app, client, world):
    propose_fee_change(client, world, "committee_2")
    assert waiting(app, world, "committee") == [
        ("1 项收费调整等你确认 → 收费项目", "/console/fees")
    ]
    assert waiting(app, world, "committee_2") == []
    assert waiting(app, world, "supervisor") == []


def test_a_prepared_disclosure_waits_for_the_supervisor_then_for_the_committee(app, world):
    disclosure_id = prepare_disclosure(world)
    assert waiting(app, world, "supervisor") == [
        ("1 份月度公示等你审核 → 月度公示", "/console/disclosures")
    ]
    assert waiting(app, world, "committee") == []
    assert waiting(app, world, "committee_2") == []

    supervisor = signed_in(app, world, "supervisor")
    signed = submit(supervisor, f"/console/disclosures/{disclosure_id}/sign-off")
    assert signed.status_code == 302
    assert waiting(app, world, "supervisor") == []
    assert waiting(app, world, "committee") == [
        ("1 份月度公示已审核通过，等你发布 → 月度公示", "/console/disclosures")
    ]
    objected = submit(
        supervisor, f"/console/disclosures/{disclosure_id}/object", {"reason": "电费少记一笔"}
    )
    assert objected.status_code == 302
    assert waiting(app, world, "committee") == [
        ("1 份月度公示有异议，等你更正 → 月度公示", "/console/disclosures")
    ]
    assert waiting(app, world, "supervisor") == []


def test_a_corrected_disclosure_waits_once_the_older_draft_takes_no_step(app, world):
    first = prepare_disclosure(world)
    committee = load_principal(world.user_ids["committee"])
    freeze.create(committee, world.compound.code, month(-1), first, "补记一笔电费")
    assert waiting(app, world, "supervisor") == [
        ("1 份月度公示等你审核 → 月度公示", "/console/disclosures")
    ]


def test_paper_ballots_of_two_votes_link_the_votes_and_a_closed_vote_counts_none(
    app, client, world, photo_storage
):
    photo = uploaded_id(client, world, who="liaison_1_1")
    lift = voting_proposal(world)
    record_paper(client, world, lift, "1-1-101", "yes", photo)
    gate = voting_proposal(world, title="更换单元门禁", closes_in=timedelta(hours=1))
    record_paper(client, world, gate, "1-1-102", "no", uploaded_id(client, world, "liaison_1_1"))
    db.session.commit()
    assert waiting(app, world, "committee") == [
        ("2 张纸质表决票等你核对（2 个表决） → 议题与表决", "/console/proposals?status=voting")
    ]
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        assert waiting(app, world, "committee") == [
            ("1 张纸质表决票等你核对 → 议题与表决", f"/console/proposals/{lift}")
        ]


def test_a_meter_reading_waits_for_the_other_member(app, world):
    stair_electricity_fee(world.compound)
    committee_2 = load_principal(world.user_ids["committee_2"])
    meter_readings.record(committee_2, world.units[0].id, month(-1), 12_000)
    assert waiting(app, world, "committee") == [
        ("1 项抄表读数或作废等你确认 → 抄表", "/console/meter-readings")
    ]
    assert waiting(app, world, "committee_2") == []


def test_expenses_income_paper_ballots_and_overdue_issues(app, client, world, photo_storage):
    with time_machine.travel(NOW - timedelta(days=3), tick=False):
        make_issue(*world.reporter(), title="楼道灯三天没修")
    make_issue(*world.reporter(), title="刚报的事")
    fund_money(world, 100_000)
    proposed_expense(client, world, who="committee")
    recorded_income(client, world, who="committee")
    proposal_id = voting_proposal(world)
    photo = uploaded_id(client, world, who="liaison_1_1")
    paper = record_paper(client, world, proposal_id, "1-1-101", "yes", photo)
    assert paper.status_code == 201, paper.get_json()
    db.session.commit()

    assert waiting(app, world, "committee") == [
        ("1 件报事已超过处理时限 → 报事登记", "/console/issues?overdue=1"),
        ("1 张纸质表决票等你核对 → 议题与表决", f"/console/proposals/{proposal_id}"),
    ]
    assert waiting(app, world, "committee_2") == [
        ("1 件报事已超过处理时限 → 报事登记", "/console/issues?overdue=1"),
        ("1 笔公共收入等你确认 → 公共收入", "/console/income?status=pending"),
        ("1 张纸质表决票等你核对 → 议题与表决", f"/console/proposals/{proposal_id}"),
    ]
    assert waiting(app, world, "supervisor") == [
        ("1 笔支出等你处理 → 支出", "/console/expenses?waiting=1")
    ]


def test_each_link_opens_the_page_where_the_work_is_done(app, client, world, photo_storage):
    recorded_cash(client, world, make_bill(world, "1-1-101"))
    propose_fee_change(client, world, "committee_2")
    recorded_income(client, world, who="committee_2")
    proposal_id = voting_proposal(world)
    photo = uploaded_id(client, world, who="liaison_1_1")
    assert record_paper(client, world, proposal_id, "1-1-101", "no", photo).status_code == 201
    db.session.commit()
    titles = {  # each link, and the title of the page it opens
        "/console/offline-payments": "待确认的现金",
        "/console/fees": "收费项目",
        "/console/income?status=pending": "公共收入",
        f"/console/proposals/{proposal_id}": "加装电梯方案",
    }
    lines = waiting(app, world, "committee")
    assert [link for _, link in lines] == list(titles)
    browser = signed_in(app, world, "committee")
    for _, link in lines:
        page = browser.get(link)
        assert page.status_code == 200, link
        assert f"<title>{titles[link]} · " in page.get_data(as_text=True), link
    assert "待核对 1 张" in browser.get(f"/console/proposals/{proposal_id}").get_data(as_text=True)
    # A status filter is the list's, not the page's HTTP status (it was, and broke them).
    assert browser.get("/console/expenses?status=approved").status_code == 200


def test_another_compounds_waiting_work_never_counts(app, client, world, other):
    recorded_cash(client, other, make_bill(other, "1-1-101"))
    propose_fee_change(client, other, "committee_2")
    recorded_income(client, other, who="committee_2")
    prepare_disclosure(other)
    with time_machine.travel(NOW - timedelta(days=3), tick=False):
        make_issue(*other.reporter(), title="别的小区超期的事")
    db.session.commit()
    assert waiting(app, other, "committee")  # they wait there ...
    assert waiting(app, other, "supervisor")
    for who in ("committee", "committee_2", "supervisor"):  # ... never here
        assert waiting(app, world, who) == []
