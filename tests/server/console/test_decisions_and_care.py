"""The desk's owners' decisions and care pages (议题与表决, 住户信息, 入户走访, 关怀回访):
what a committee member sees and does, through the same services as the API."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import func, select

from server.extensions import db
from server.models import Ballot, Proposal
from tests.decisions_helpers import (
    closed,
    owner,
    record_paper,
    set_areas,
    voted,
    voting_proposal,
)
from tests.factories import build_world
from tests.server.console.desk import signed_in, submit
from tests.steps import uploaded_id

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
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
    for row in re.findall(r"<tr>(.*?)</tr>", page, re.S):
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

    page = text(desk.get(f"/console/proposals/{passed}/result"))
    assert "结果：<strong>通过</strong>" in page
    rows = cells(page)
    # Turnout: 450.00 of 500.00 m², 5 of 6 heads, both at least 2/3.
    assert ["专有面积（平方米）", "450.00", "500.00", "不少于 2/3", "达到"] in rows
    assert ["人数（户主）", "5", "6", "不少于 2/3", "达到"] in rows
    # 同意: 360.00 of the 450.00 m² that took part, 4 of 5 heads: more than 1/2.
    assert ["同意", "360.00 / 450.00", "4 / 5", "达到"] in rows
    assert ["反对", "90.00 / 450.00", "1 / 5", "—"] in rows
    assert ["弃权", "0.00 / 450.00", "0 / 5", "—"] in rows
    assert "要求超过 1/2" in page
    assert "计入的票（5 张）" in page
    assert "1-1-101" not in page  # receipts and areas only, never a flat

    refused = text(desk.get(f"/console/proposals/{failed}/result"))
    assert "结果：<strong>未通过</strong>" in refused
    assert ["人数（户主）", "3", "6", "不少于 2/3", "未达到"] in cells(refused)
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
        {"closes_at": "2026-12-30T20:00"},
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
