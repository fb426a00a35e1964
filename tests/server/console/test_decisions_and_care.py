"""The desk's owners' decisions and care pages (议题与表决, 住户信息, 入户走访, 关怀回访):
what a committee member sees and does, through the same services as the API."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from server.clock import SHANGHAI, utcnow
from server.extensions import db
from server.models import AccessLog, Ballot, CareVisit, HouseholdCensus, Proposal
from server.models.campaigns import Campaign
from tests.decisions_helpers import (
    closed,
    make_due,
    owner,
    record_paper,
    set_areas,
    voted,
    voting_proposal,
)
from tests.factories import build_world, care_tagged
from tests.server.console.desk import signed_in, submit
from tests.steps import uploaded_id
from tests.timing import shanghai_day

NOW = shanghai_day(0, "10:00")  # today, 10:00 in Shanghai (frozen for every test)


def d(days: int) -> str:
    """The Shanghai date `days` from NOW, as the desk shows and takes it."""
    return (NOW.astimezone(SHANGHAI).date() + timedelta(days=days)).isoformat()


AREAS = {
    "1-1-101": "100.00",
    "1-1-102": "80.00",
    "1-1-201": "120.00",
    "1-2-101": "90.00",
    "1-2-102": "60.00",
    "1-2-201": "50.00",
}


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(db_session, frozen, photo_storage):
    return build_world("dc")


@pytest.fixture
def other(db_session, frozen):
    return build_world("dc-other")


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def cells(page: str) -> list[list[str]]:
    """Every table row of the page as its cells' text."""
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.S):
        found = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([re.sub(r"<[^>]+>", "", c).strip() for c in found])
    return rows


def on_roll(world) -> None:
    set_areas(world, AREAS)
    for flat in AREAS:
        owner(world, flat)


# ----- 议题与表决 -----


def test_a_closed_proposals_result_shows_the_counts_fractions_and_verdict(client, world):
    on_roll(world)
    passed = voting_proposal(world, title="更换单元门禁")
    for flat, choice in [
        ("1-1-101", "yes"),
        ("1-1-102", "yes"),
        ("1-1-201", "yes"),
        ("1-2-101", "no"),
        ("1-2-102", "yes"),
    ]:
        voted(client, world, passed, flat, choice)
    closed(client, world, passed)
    failed = voting_proposal(world, title="粉刷外墙")
    for flat in ("1-1-101", "1-1-102", "1-2-101"):
        voted(client, world, failed, flat, "yes")
    closed(client, world, failed)
    desk = signed_in(app=client.application, world=world)

    listing = text(desk.get("/console/proposals?status=closed"))
    assert "更换单元门禁" in listing
    assert "粉刷外墙" in listing
    assert "「已结束」的议题" in listing
    listed = {row[1]: row for row in cells(listing) if len(row) == 8}
    assert (listed["更换单元门禁"][3], listed["更换单元门禁"][7]) == ("已结束", "通过")
    assert (listed["粉刷外墙"][3], listed["粉刷外墙"][7]) == ("已结束", "未通过")

    page = text(desk.get(f"/console/proposals/{passed}/result"))
    assert "结果：<strong>通过</strong>" in page
    rows = cells(page)
    # Turnout: 450.00 of 500.00 m², 5 of 6 heads, both at least 2/3.
    assert ["专有面积（平方米）", "450.00", "500.00", "不少于 2/3", "达到"] in rows
    assert ["人数（业主）", "5", "6", "不少于 2/3", "达到"] in rows
    # 同意: 360.00 of the 450.00 m² that took part, 4 of 5 heads: more than 1/2.
    assert ["同意", "360.00 / 450.00", "4 / 5", "达到"] in rows
    assert ["反对", "90.00 / 450.00", "1 / 5", "—"] in rows
    assert ["弃权", "0.00 / 450.00", "0 / 5", "—"] in rows
    assert "要求超过 1/2" in page
    assert "计入的票（5 张）" in page
    assert "1-1-101" not in page  # receipts and areas only, never a flat

    refused = text(desk.get(f"/console/proposals/{failed}/result"))
    assert "结果：<strong>未通过</strong>" in refused
    assert ["人数（业主）", "3", "6", "不少于 2/3", "未达到"] in cells(refused)
    assert "参与表决的业主不足" in refused


def test_a_paper_ballot_is_confirmed_on_the_desk_by_a_second_person(client, world):
    on_roll(world)
    pid = voting_proposal(world)
    photo = uploaded_id(client, world, who="liaison_1_1")
    recorded = record_paper(client, world, pid, "1-1-102", "no", photo)
    assert recorded.status_code == 201, recorded.get_json()
    ballot_id = recorded.get_json()["id"]
    desk = signed_in(client.application, world, "committee")

    page = text(desk.get(f"/console/proposals/{pid}"))
    assert "待核对 1 张" in page
    assert f"/console/photos/{photo}" in page
    assert f"/console/paper-ballots/{ballot_id}/confirm" in page
    assert 'data-confirm="确定这张票与照片一致、计入 1-1-102 的选择「反对」吗？"' in page

    done = submit(desk, f"/console/paper-ballots/{ballot_id}/confirm", follow_redirects=True)
    assert "已核对，这张票已计入" in text(done)
    ballot = db.session.get(Ballot, ballot_id)
    assert (ballot.status, ballot.confirmed_by_id) == ("counted", world.user_ids["committee"])
    again = submit(desk, f"/console/paper-ballots/{ballot_id}/confirm", follow_redirects=True)
    assert "这张票现在是「已计入」，不能再处理" in text(again)


def test_the_recorder_cannot_confirm_their_own_paper_ballot(client, world):
    on_roll(world)
    pid = voting_proposal(world)
    photo = uploaded_id(client, world, who="committee")
    recorded = record_paper(client, world, pid, "1-1-102", "yes", photo, who="committee")
    ballot_id = recorded.get_json()["id"]
    desk = signed_in(client.application, world, "committee")
    assert "请另一位志愿者核对" in text(desk.get(f"/console/proposals/{pid}"))
    refused = submit(desk, f"/console/paper-ballots/{ballot_id}/confirm", follow_redirects=True)
    assert "登记人不能核对自己登记的票" in text(refused)
    assert db.session.get(Ballot, ballot_id).status == "pending"
    rejected = submit(
        signed_in(client.application, world, "committee_2"),
        f"/console/paper-ballots/{ballot_id}/reject",
        {"reason": "签字看不清"},
        follow_redirects=True,
    )
    assert "已驳回" in text(rejected)
    assert db.session.get(Ballot, ballot_id).status == "rejected"


def test_a_draft_is_saved_published_and_withdrawn_from_the_desk(client, world):
    desk = signed_in(client.application, world)
    empty = submit(desk, "/console/proposals", {"title": "", "body": "x", "matter": "9"})
    assert empty.status_code == 302
    assert "「标题」" in text(desk.get("/console/proposals"))
    made = submit(
        desk,
        "/console/proposals",
        {"title": "增设充电桩", "body": "在 2 号楼北侧增设充电桩。", "matter": "8"},
        follow_redirects=True,
    )
    page = text(made)
    assert "草稿已保存" in page
    assert "增设充电桩" in page
    proposal = db.session.scalars(select(Proposal).where(Proposal.title == "增设充电桩")).one()
    assert (proposal.status, proposal.matter, proposal.compound_id) == (
        "draft",
        8,
        world.compound.id,
    )
    assert "参与表决面积和人数均达四分之三以上同意" in page
    assert 'data-confirm="确定公示这个议题吗？' in page
    published = submit(
        desk,
        f"/console/proposals/{proposal.id}/publish",
        {"notice_days": "7"},
        follow_redirects=True,
    )
    assert "已公示" in text(published)
    assert db.session.get(Proposal, proposal.id).status == "notice"
    early = submit(
        desk,
        f"/console/proposals/{proposal.id}/open",
        {"closes_at": f"{d(40)}T20:00"},
        follow_redirects=True,
    )
    assert "之后才能开始表决" in text(early)
    submit(desk, f"/console/proposals/{proposal.id}/withdraw", {"reason": "方案要重新测算"})
    assert db.session.get(Proposal, proposal.id).status == "withdrawn"


def test_the_supervisor_reads_proposals_but_has_no_committee_steps(client, world):
    on_roll(world)
    pid = voting_proposal(world)
    desk = signed_in(client.application, world, "supervisor")
    listing = text(desk.get("/console/proposals"))
    assert "加装电梯方案" in listing
    assert "起草新议题" not in listing
    page = text(desk.get(f"/console/proposals/{pid}"))
    assert "业委会的操作" in page  # the audit download only
    assert "结束表决并计票" not in page
    assert "待核对的纸质票" not in page
    refused = submit(desk, "/console/proposals", {"title": "x", "body": "y", "matter": "9"})
    assert refused.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Proposal)) == 1


def test_another_compounds_proposal_is_a_404_page(client, world, other):
    theirs = voting_proposal(other, title="别的小区的议题")
    desk = signed_in(client.application, world)
    for url in (f"/console/proposals/{theirs}", f"/console/proposals/{theirs}/result"):
        page = desk.get(url)
        assert page.status_code == 404
        assert "别的小区的议题" not in text(page)
    assert "别的小区的议题" not in text(desk.get("/console/proposals"))
    ballot_refused = submit(desk, "/console/paper-ballots/999999/confirm", follow_redirects=True)
    assert "没有这张纸质表决票" in text(ballot_refused)


# ----- 住户信息 -----


def confirm_at(world, flat: str, when) -> None:
    db.session.add(
        HouseholdCensus(
            compound_id=world.compound.id,
            household_id=world.household_ids[flat],
            unit_id=world.household(flat).unit_id,
            residence="lives_here",
            confirmed_at=when,
            confirmed_by_id=world.user_ids["committee"],
        )
    )
    db.session.flush()


def census_member(client, world, flat="1-1-101", name="张桂芳", phone="13800001234"):
    response = client.post(
        f"/api/v1/households/{world.household_ids[flat]}/members",
        json={
            "name": name,
            "relation": "family",
            "age_band": "80_plus",
            "phone": phone,
            "consent": True,
        },
        headers=world.fresh_headers("liaison_1_1"),
    )
    assert response.status_code == 201, response.get_json()


def tags_of(client, world, flat, tags):
    response = client.put(
        f"/api/v1/households/{world.household_ids[flat]}/tags",
        json={"tags": tags},
        headers=world.fresh_headers("liaison_1_1"),
    )
    assert response.status_code == 200, response.get_json()


def test_coverage_shows_the_services_counts_and_no_personal_data(client, world, other):
    confirm_at(world, "1-1-101", utcnow() - timedelta(days=10))
    confirm_at(world, "1-1-102", utcnow() - timedelta(days=400))
    confirm_at(world, "1-2-201", utcnow() - timedelta(days=100))
    confirm_at(other, "1-1-101", utcnow() - timedelta(days=1))
    census_member(client, world)
    tags_of(client, world, "1-1-101", ["elderly_alone"])
    api = client.get(
        f"/api/v1/compounds/{world.compound.code}/census/coverage",
        headers=world.fresh_headers("committee"),
    ).get_json()
    desk = signed_in(client.application, world)

    page = text(desk.get("/console/coverage"))
    rows = cells(page)
    assert api["totals"] == {"households": 6, "confirmed": 2, "stale": 4}
    assert ["1号楼（合计）", "6", "2", "4", "33.3%"] in rows
    assert ["1-1单元", "3", "1", "2", "33.3%"] in rows
    assert ["1-2单元", "3", "1", "2", "33.3%"] in rows
    assert ["全小区", "6", "2", "4", "33.3%"] in rows
    assert '"categories": ["1-1单元", "1-2单元"]' in page
    for personal in ("张桂芳", "13800001234", "138****1234", "独居老人", "王秀兰"):
        assert personal not in page
    assert "导出完整电话和关爱标签" in page

    refused = desk.get("/console/coverage/export.xlsx?sensitive=1&reason=")
    assert refused.status_code == 400
    assert "请写明用途" in text(refused)
    before = db.session.scalar(select(func.count()).select_from(AccessLog))
    masked = desk.get("/console/coverage/export.xlsx")
    assert masked.status_code == 200
    assert masked.mimetype.endswith("spreadsheetml.sheet")
    logged = list(
        db.session.scalars(
            select(AccessLog).where(AccessLog.action == "export_census").order_by(AccessLog.id)
        )
    )
    assert len(logged) == 6
    assert {log.actor_id for log in logged} == {world.user_ids["committee"]}
    assert db.session.scalar(select(func.count()).select_from(AccessLog)) == before + 6


def test_the_supervisor_gets_the_services_refusal_on_the_census_and_care_pages(client, world):
    desk = signed_in(client.application, world, "supervisor")
    for url in ("/console/coverage", "/console/coverage/export.xlsx", "/console/visits"):
        page = desk.get(url)
        assert page.status_code == 403, url
    assert "只有联络人、楼栋长和业委会可以查看住户登记" in text(desk.get("/console/coverage"))
    menu = text(desk.get("/console/"))
    assert "住户信息" not in menu  # not the supervisor's work: the menu leaves it out


# ----- 入户走访 -----


def test_a_campaign_started_on_the_desk_appears_with_its_progress(client, world, other):
    desk = signed_in(client.application, world)
    bad = submit(
        desk,
        "/console/campaigns",
        {"type": "safety", "title": "冬季燃气安全排查", "scope": "9", "due_on": d(11)},
        follow_redirects=True,
    )
    assert "本小区没有 9 号楼" in text(bad)
    made = submit(
        desk,
        "/console/campaigns",
        {"type": "safety", "title": "冬季燃气安全排查", "scope": "1-2", "due_on": d(11)},
        follow_redirects=True,
    )
    page = text(made)
    assert "排查已发起" in page
    campaign = db.session.scalars(
        select(Campaign).where(Campaign.title == "冬季燃气安全排查")
    ).one()
    assert campaign.compound_id == world.compound.id
    assert campaign.checklist[0] == "楼道杂物"  # the template's
    assert ["1-2单元", "0", "3", "进行中", "看 1-2单元各户"] in cells(page)

    recorded = client.post(
        f"/api/v1/campaigns/{campaign.id}/results",
        json={
            "household_id": world.household_ids["1-2-102"],
            "items": [{"item": "燃气异味", "ok": False, "note": "厨房有味"}]
            + [{"item": i, "ok": True} for i in campaign.checklist if i != "燃气异味"],
        },
        headers=world.fresh_headers("liaison_1_2"),
    )
    assert recorded.status_code == 201, recorded.get_json()
    listing = text(desk.get("/console/campaigns"))
    assert "冬季燃气安全排查" in listing
    assert "1 / 3" in listing
    unit = text(desk.get(f"/console/campaigns/{campaign.id}?unit={world.units[1].id}"))
    assert "1-2单元（1 / 3 户已走访）" in unit
    assert "燃气异味（厨房有味）" in unit

    export = desk.get(f"/console/campaigns/{campaign.id}/export.xlsx")
    assert export.status_code == 200
    assert export.mimetype.endswith("spreadsheetml.sheet")
    closed_page = submit(desk, f"/console/campaigns/{campaign.id}/close", follow_redirects=True)
    assert "排查已结束" in text(closed_page)
    assert db.session.get(Campaign, campaign.id).status == "closed"


def test_another_compounds_campaign_is_a_404_page(client, world, other):
    signed_in(client.application, other)  # their committee starts one
    theirs = submit(
        signed_in(client.application, other),
        "/console/campaigns",
        {"type": "dispute", "title": "别的小区的排查", "scope": "", "due_on": d(11)},
    )
    assert theirs.status_code == 302
    campaign = db.session.scalars(select(Campaign).where(Campaign.title == "别的小区的排查")).one()
    desk = signed_in(client.application, world)
    for url in (
        f"/console/campaigns/{campaign.id}",
        f"/console/campaigns/{campaign.id}/export.xlsx",
    ):
        page = desk.get(url)
        assert page.status_code == 404, url
        assert "别的小区的排查" not in text(page)
    assert "别的小区的排查" not in text(desk.get("/console/campaigns"))
    submit(desk, f"/console/campaigns/{campaign.id}/close")
    assert db.session.get(Campaign, campaign.id).status == "open"


# ----- 关怀回访 -----


def test_the_visits_queue_shows_due_and_overdue_visits_masked_and_logged(client, world, other):
    census_member(client, world)
    _household, late = care_tagged(world, "1-1-101", "elderly_alone")
    late.due_on = late.due_on - timedelta(days=10)
    late.escalation_level = 2
    care_tagged(world, "1-2-102", "hardship")
    care_tagged(other, "1-1-101", "disability")
    db.session.flush()
    desk = signed_in(client.application, world)

    page = text(desk.get("/console/visits"))
    rows = cells(page)
    assert ["1-1-101", "独居老人", d(-10), "已超期 10 天", "已报业委会"] in rows
    assert ["1-2-102", "生活困难", d(0), "待走访", "单元联络人"] in rows
    queue = [r for r in rows if len(r) == 5 and r[0] != "房号"]
    assert len(queue) == 2  # not the other compound's visit
    for personal in ("张桂芳", "13800001234", "138****1234", "王秀兰"):
        assert personal not in page
    reads = list(db.session.scalars(select(AccessLog).where(AccessLog.reason == "关爱走访总览")))
    assert {r.household_id for r in reads} == {
        world.household_ids["1-1-101"],
        world.household_ids["1-2-102"],
    }


def test_the_cadence_form_saves_and_the_visits_follow(client, world):
    _household, visit = care_tagged(world, "1-2-102", "hardship")
    db.session.flush()
    desk = signed_in(client.application, world)
    page = text(desk.get("/console/visits"))
    assert 'name="every_hardship" type="number" min="0" max="365" value="30"' in page
    form = {"every_elderly_alone": "7", "every_disability": "14", "every_needs_visits": "14"}
    wrong = submit(
        desk, "/console/visits/cadences", {**form, "every_hardship": "abc"}, follow_redirects=True
    )
    assert "「生活困难」请填写 0 到 365 之间的天数" in text(wrong)
    too_long = submit(
        desk, "/console/visits/cadences", {**form, "every_hardship": "400"}, follow_redirects=True
    )
    assert "「走访频次」应在 0 到 365 之间" in text(too_long)
    saved = submit(
        desk, "/console/visits/cadences", {**form, "every_hardship": "0"}, follow_redirects=True
    )
    shown = text(saved)
    assert "走访频次已保存" in shown
    assert 'name="every_hardship" type="number" min="0" max="365" value="0"' in shown
    assert db.session.get(CareVisit, visit.id).status == "cancelled"
    assert "一周内没有要走访的住户" in shown

    second = signed_in(client.application, world, "committee_2")
    assert "保存频次" in text(second.get("/console/visits"))


def test_a_households_visits_are_read_through_the_logged_history(client, world, other):
    _household, visit = care_tagged(world, "1-1-101", "elderly_alone")
    recorded = client.post(
        f"/api/v1/visits/{visit.id}/record",
        json={"how": "fair", "note": "腿脚不便，想要扶手", "concern": True},
        headers=world.fresh_headers("liaison_1_1"),
    )
    assert recorded.status_code == 200, recorded.get_json()
    _theirs, _visit = care_tagged(other, "1-1-101", "disability")
    desk = signed_in(client.application, world)
    queue = text(desk.get("/console/visits"))
    url = f"/console/visits/households/{world.household_ids['1-1-101']}"
    assert ["1-1-101", "独居老人", d(7), "待走访", "单元联络人"] in cells(queue)
    assert f'href="{url}"' in queue  # visited today: the next one a week on
    page = text(desk.get(url))
    assert "1-1-101 的关爱走访" in page
    assert "腿脚不便，想要扶手" in page
    assert "需关注" in page
    logged = db.session.scalars(
        select(AccessLog).where(
            AccessLog.action == "view_visits", AccessLog.actor_id == world.user_ids["committee"]
        )
    ).all()
    # One line per visit shown (the one recorded, the next one due).
    assert [log.household_id for log in logged] == [world.household_ids["1-1-101"]] * 2
    theirs = desk.get(f"/console/visits/households/{other.household_ids['1-1-101']}")
    assert theirs.status_code == 404
    assert "残疾" not in text(theirs)


def test_the_compounds_visit_queue_is_the_committees_only(world):
    from server.errors import Forbidden
    from server.services.care import queue
    from server.services.people.access import load_principal

    care_tagged(world, "1-1-101", "elderly_alone")
    liaison = load_principal(world.user_ids["liaison_1_1"])
    with pytest.raises(Forbidden):
        queue.compound_queue(liaison, world.compound.id)
    committee = load_principal(world.user_ids["committee"])
    assert [i["label"] for i in queue.compound_queue(committee, world.compound.id)["items"]] == [
        "1-1-101"
    ]


def test_the_committee_opens_and_closes_a_vote_from_the_desk(client, world):
    on_roll(world)
    desk = signed_in(client.application, world)
    submit(desk, "/console/proposals", {"title": "安装充电桩", "body": "方案。", "matter": "9"})
    proposal = db.session.scalars(select(Proposal).where(Proposal.title == "安装充电桩")).one()
    submit(desk, f"/console/proposals/{proposal.id}/publish", {"notice_days": "7"})
    db.session.get(Proposal, proposal.id).notice_ends_at = utcnow() - timedelta(minutes=1)
    db.session.flush()
    page = text(desk.get(f"/console/proposals/{proposal.id}"))
    assert 'data-confirm="确定开始表决吗？开始后业主名单就固定了。"' in page
    opened = submit(
        desk,
        f"/console/proposals/{proposal.id}/open",
        {"closes_at": f"{d(5)}T20:00"},  # Shanghai's clock
        follow_redirects=True,
    )
    assert "表决已开始" in text(opened)
    shown = db.session.get(Proposal, proposal.id)
    assert shown.status == "voting"
    closes = datetime.combine(date.fromisoformat(d(5)), time(20, 0), SHANGHAI)
    assert shown.closes_at.replace(tzinfo=UTC) == closes.astimezone(UTC)
    early = submit(desk, f"/console/proposals/{proposal.id}/close", follow_redirects=True)
    assert "还没到表决截止时间，不能提前结束" in text(early)
    make_due(proposal.id)
    page = text(desk.get(f"/console/proposals/{proposal.id}"))
    assert 'data-confirm="确定结束表决吗？' in page
    done = submit(desk, f"/console/proposals/{proposal.id}/close", follow_redirects=True)
    assert "表决已结束，结果已算出" in text(done)
    assert db.session.get(Proposal, proposal.id).status == "closed"
    result = text(desk.get(f"/console/proposals/{proposal.id}/result"))
    assert "结果：<strong>未通过</strong>" in result
