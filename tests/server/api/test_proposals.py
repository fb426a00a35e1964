"""Owners' decisions, the proposal's side: the committee drafts (validated options and
effects), publishes for a notice period of at least the compound's minimum, revises
during notice (every version kept, comments stay on theirs), and opens the vote once
the notice is over, freezing the roll (one head per owner, however many flats)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from server.clock import utcnow
from server.extensions import db
from server.models import Ballot, Notification, OutboxMessage, Proposal, RollEntry
from server.models.spending import Expense
from server.services.people import roles
from tests.factories import HouseholdFactory, add_person, build_world, self_governance_fee
from tests.helpers import statements
from tests.steps import uploaded_id
from tests.timing import month

CODE = "pp"


@pytest.fixture
def world(db_session, photo_storage):
    """Six flats in building 1 (1-1/1-2 × 101, 102, 201): 1-1-101 and 1-2-101 have one
    owner each; 1-1-102 and 1-2-102 share the 产权人编号 K1 (one head); one owner holds
    1-1-201 and 1-2-201 (one head, 90.50 m² for the second); a tenant lives in 1-1-102."""
    world = build_world(CODE)
    self_governance_fee(world.compound)
    world.household("1-1-102").owner_key = "K1"
    world.household("1-2-102").owner_key = "K1"
    world.household("1-2-201").area_m2 = Decimal("90.50")
    add_person(world, "two_flats", "resident", world.household("1-1-201"), relation="owner")
    roles.grant(
        world.user_ids["two_flats"], "resident", world.household("1-2-201"), relation="owner"
    )
    add_person(world, "tenant", "resident", world.household("1-1-102"), relation="tenant")
    db.session.flush()
    return world


@pytest.fixture
def other(db_session):
    return build_world("pq")


def draft(client, world, who="committee", **body):
    body = {"title": "自治管理费调整为 0.40 元", "body": "物价上涨，拟调整。", "matter": 9, **body}
    return client.post(f"/api/v1/compounds/{CODE}/proposals", json=body, headers=world.headers(who))


def drafted(client, world, **body) -> dict:
    response = draft(client, world, **body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def step(client, world, proposal_id, action, who="committee", fresh=False, **body):
    headers = world.fresh_headers(who) if fresh else world.headers(who)
    return client.post(f"/api/v1/proposals/{proposal_id}/{action}", json=body, headers=headers)


def stepped(client, world, proposal_id, action, who="committee", fresh=False, **body) -> dict:
    response = step(client, world, proposal_id, action, who, fresh, **body)
    assert response.status_code in (200, 201), response.get_json()
    return response.get_json()


def show(client, world, proposal_id, who="committee", fresh=False):
    headers = world.fresh_headers(who) if fresh else world.headers(who)
    return client.get(f"/api/v1/proposals/{proposal_id}", headers=headers)


def published(client, world, **body) -> dict:
    made = drafted(client, world, **body)
    return stepped(client, world, made["id"], "publish")


def error(response) -> tuple[int, str]:
    return response.status_code, response.get_json()["code"]


def opened(client, world, proposal_id) -> dict:
    """Open the vote 8 days on (past the 7-day notice), closing 3 days later."""
    later = utcnow() + timedelta(days=8)
    with freeze_time(later):
        closes = (later + timedelta(days=3)).isoformat()
        return stepped(client, world, proposal_id, "open", fresh=True, closes_at=closes)


# ----- drafting -----


def test_a_draft_has_the_default_options_and_a_sentence_for_its_effect(client, world):
    doc = uploaded_id(client, world, who="committee")
    made = drafted(
        client,
        world,
        effect={"kind": "fee_rate", "item": "self_governance", "rate": "0.40"},
        attachments=[doc],
    )
    assert (made["status"], made["status_label"], made["version"]) == ("draft", "草稿", 1)
    assert made["matter_label"] == "有关共有和共同管理权利的其他重大事项"
    assert made["rule"] == "majority"
    assert [o["label"] for o in made["options"]] == ["同意", "反对", "弃权"]
    assert made["effect"]["rate"] == "0.40"
    assert "每平方米每月 0.40 元" in made["effect_text"]
    assert made["attachments"] == [doc]
    assert made["actions"] == ["edit", "publish", "withdraw"]
    assert [v["version"] for v in made["versions"]] == [1]


def test_candidates_get_their_own_choices_and_matter_8_needs_three_quarters(client, world):
    made = drafted(
        client,
        world,
        matter=8,
        options=[{"label": "张三"}, {"label": "李四"}, {"label": "弃权", "choice": "abstain"}],
    )
    assert [o["choice"] for o in made["options"]] == ["c1", "c2", "abstain"]
    assert made["rule"] == "three_quarters"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"matter": 10}, "validation_error"),
        ({"title": ""}, "validation_error"),
        ({"body": "字" * 10001}, "validation_error"),
        ({"options": [{"label": "张三"}]}, "validation_error"),
        ({"options": [{"label": "张三"}, {"label": "张三"}]}, "options_invalid"),
        ({"options": [{"label": "同意", "choice": "yes"}, {"label": "张三"}]}, "options_invalid"),
        # a yes/no question offers "no" (yes or abstain only is no choice at all)
        (
            {
                "options": [
                    {"label": "同意", "choice": "yes"},
                    {"label": "弃权", "choice": "abstain"},
                ]
            },
            "options_invalid",
        ),
        ({"effect": {"kind": "fee_rate", "item": "nope", "rate": "0.40"}}, "fee_item_invalid"),
        ({"effect": {"kind": "fee_rate", "item": "self_governance", "rate": "0"}}, "rate_invalid"),
        (
            {"effect": {"kind": "fee_rate", "item": "self_governance", "rate": "0.12345"}},
            "rate_invalid",
        ),
        (
            {
                "effect": {"kind": "fee_rate", "item": "self_governance", "rate": "0.4"},
                "options": [{"label": "张三"}, {"label": "李四"}],
            },
            "effect_options",
        ),
        ({"effect": {"kind": "expense", "expense_id": 999999}}, "expense_not_found"),
    ],
)
def test_draft_validation(client, world, body, code):
    response = draft(client, world, **body)
    assert error(response) == (400, code), response.get_json()


def test_an_expense_effect_must_be_a_large_open_one_and_in_one_proposal_only(client, world):
    def expense(amount, status="proposed"):
        row = Expense(
            compound_id=world.compound.id,
            fund="fee:self_governance",
            amount_fen=amount,
            purpose="更换单元门",
            payee="某门业公司",
            category="repair",
            status=status,
            large=amount > world.compound.expense_threshold_fen,
            proposed_by_id=world.user_ids["committee"],
        )
        db.session.add(row)
        db.session.flush()
        return row.id

    small, paid, large = expense(1000), expense(900000, "paid"), expense(900000)
    for expense_id in (small, paid):
        response = draft(client, world, effect={"kind": "expense", "expense_id": expense_id})
        assert error(response) == (400, "expense_not_eligible")
    made = drafted(client, world, effect={"kind": "expense", "expense_id": large})
    assert "更换单元门" in made["effect_text"]
    assert "9,000.00 元" in made["effect_text"]
    again = draft(client, world, effect={"kind": "expense", "expense_id": large})
    assert error(again) == (400, "expense_taken")
    # Once the first is withdrawn the expense is free again.
    stepped(client, world, made["id"], "withdraw", reason="改为下次业主大会")
    assert draft(client, world, effect={"kind": "expense", "expense_id": large}).status_code == 201


@pytest.mark.parametrize("who", ["resident_1_1", "liaison_1_1", "supervisor"])
def test_only_the_committee_drafts(client, world, who):
    assert error(draft(client, world, who=who)) == (403, "committee_only")


def test_a_draft_is_seen_by_the_committee_and_supervisor_only(client, world, other):
    made = drafted(client, world)
    assert show(client, world, made["id"], "supervisor").status_code == 200
    for who in ("resident_1_1", "liaison_1_1"):
        assert error(show(client, world, made["id"], who)) == (404, "proposal_not_found")
        listed = client.get(f"/api/v1/compounds/{CODE}/proposals", headers=world.headers(who))
        assert listed.get_json()["items"] == []
    assert error(show(client, other, made["id"], "committee")) == (404, "proposal_not_found")
    patched = client.patch(
        f"/api/v1/proposals/{made['id']}", json={"title": "改"}, headers=other.headers("committee")
    )
    assert error(patched) == (404, "proposal_not_found")
    listed = client.get(f"/api/v1/compounds/{CODE}/proposals", headers=other.headers("committee"))
    assert error(listed) == (404, "compound_not_found")
    listed = client.get(f"/api/v1/compounds/{CODE}/proposals", headers=world.headers("supervisor"))
    assert [p["id"] for p in listed.get_json()["items"]] == [made["id"]]
    # Withdrawn before it was published, it stays the committee's.
    stepped(client, world, made["id"], "withdraw", reason="不再提出")
    assert error(show(client, world, made["id"], "resident_1_1")) == (404, "proposal_not_found")
    listed = client.get(
        f"/api/v1/compounds/{CODE}/proposals", headers=world.headers("resident_1_1")
    )
    assert listed.get_json()["items"] == []


def test_editing_a_draft_changes_version_one_in_place(client, world):
    made = drafted(client, world)
    response = client.patch(
        f"/api/v1/proposals/{made['id']}",
        json={"title": "新标题"},
        headers=world.headers("committee"),
    )
    assert response.status_code == 200, response.get_json()
    changed = response.get_json()
    assert (changed["title"], changed["version"]) == ("新标题", 1)
    assert [(v["version"], v["title"]) for v in changed["versions"]] == [(1, "新标题")]
    same = client.patch(
        f"/api/v1/proposals/{made['id']}",
        json={"title": "新标题"},
        headers=world.headers("committee"),
    )
    assert error(same) == (400, "nothing_changed")


# ----- notice -----


def test_publish_needs_the_compound_minimum_notice(client, world):
    made = drafted(client, world)
    assert made["min_notice_days"] == 7  # the form's first value
    short = step(client, world, made["id"], "publish", notice_days=6)
    assert error(short) == (400, "notice_too_short")
    assert "7 天" in short.get_json()["message"]
    assert error(step(client, world, made["id"], "publish", notice_days=61)) == (
        400,
        "notice_too_long",
    )
    before = utcnow()
    shown = stepped(client, world, made["id"], "publish", notice_days=10)
    assert (shown["status"], shown["status_label"]) == ("notice", "公示中")
    assert shown["actions"] == ["edit", "withdraw", "comment"]
    assert error(step(client, world, made["id"], "publish")) == (409, "proposal_state")
    ends = datetime.fromisoformat(shown["notice_ends_at"])
    assert (
        timedelta(days=10) - timedelta(minutes=1) <= ends - before <= timedelta(days=10, minutes=1)
    )


def test_publishing_tells_every_owner_and_volunteer_and_pushes_to_those_who_allowed_it(
    client, world
):
    subscribe(client, world, "resident_1_1")
    made = published(client, world)
    for who in ("resident_1_1", "resident_1_2", "two_flats", "liaison_1_1", "supervisor"):
        (line,) = inbox_of(world, who)
        assert line.title == "草案公示：自治管理费调整为 0.40 元"
        assert line.page == f"pages/proposal/index?id={made['id']}"
    # A tenant may not read proposals: no line that would open a refusal.
    assert inbox_of(world, "tenant") == []
    (push,) = pushes_to(world, "resident_1_1")
    assert push.payload["page"] == f"pages/proposal/index?id={made['id']}"
    assert pushes_to(world, "resident_1_2") == []  # did not allow pushes
    assert inbox_of(world, "committee") == []  # the publisher


def test_the_notice_fan_out_does_not_query_per_household(client, world):
    subscribe(client, world, "resident_1_1")

    def count_publish():
        made = drafted(client, world)
        return len(statements(lambda: stepped(client, world, made["id"], "publish")))

    small = count_publish()
    unit = world.units[0]
    for i in range(20):
        home = HouseholdFactory(unit_obj=unit, room=f"{5 + i // 4}0{i % 4 + 1}", floor=5 + i // 4)
        add_person(world, f"extra_{i}", "resident", home, relation="owner")
        subscribe(client, world, f"extra_{i}")
    db.session.flush()
    assert count_publish() == small
    pushed = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    assert pushed == 1 + 21  # resident_1_1 twice, the 20 new ones once


def test_revising_during_notice_keeps_versions_and_comments_stay_on_theirs(client, world):
    made = published(client, world)
    first = stepped(client, world, made["id"], "comments", "resident_1_1", body="0.40 太高了")
    assert (first["version"], first["author_label"], first["mine"]) == (1, "1号楼1单元业主", True)
    answer = stepped(client, world, made["id"], "comments", "committee", body="会公布测算")
    assert answer["author_label"] == "业委会"

    no_note = client.patch(
        f"/api/v1/proposals/{made['id']}",
        json={"body": "改为 0.38"},
        headers=world.headers("committee"),
    )
    assert error(no_note) == (400, "note_required")
    revised = client.patch(
        f"/api/v1/proposals/{made['id']}",
        json={"body": "调整为 0.38 元。", "note": "根据意见下调到 0.38"},
        headers=world.headers("committee"),
    )
    assert revised.status_code == 200, revised.get_json()
    shown = revised.get_json()
    assert shown["version"] == 2
    assert [(v["version"], v["body"], v["note"]) for v in shown["versions"]] == [
        (2, "调整为 0.38 元。", "根据意见下调到 0.38"),
        (1, "物价上涨，拟调整。", None),
    ]
    stepped(client, world, made["id"], "comments", "resident_1_2", body="可以接受")

    def comments(who="resident_1_2", query=""):
        response = client.get(
            f"/api/v1/proposals/{made['id']}/comments{query}", headers=world.headers(who)
        )
        assert response.status_code == 200, response.get_json()
        return [(c["version"], c["body"], c["mine"]) for c in response.get_json()["items"]]

    assert comments() == [
        (1, "0.40 太高了", False),
        (1, "会公布测算", False),
        (2, "可以接受", True),
    ]
    assert comments(query="?version=1") == [(1, "0.40 太高了", False), (1, "会公布测算", False)]
    # Who commented on version 1 is told of version 2 (the reviser is not).
    titles = [n.title for n in inbox_of(world, "resident_1_1")]
    assert "您评论过的草案已修改：自治管理费调整为 0.40 元" in titles
    assert not [n for n in inbox_of(world, "committee") if "已修改" in n.title]
    listed = client.get(
        f"/api/v1/compounds/{CODE}/proposals", headers=world.headers("resident_1_1")
    )
    assert listed.get_json()["items"][0]["comment_count"] == 3


def test_who_may_comment(client, world, other):
    made = published(client, world)
    tenant = step(client, world, made["id"], "comments", "tenant", body="我也有意见")
    assert error(tenant) == (403, "owners_only")
    liaison = step(client, world, made["id"], "comments", "liaison_1_1", body="转达意见")
    assert error(liaison) == (403, "owners_only")
    stranger = step(client, other, made["id"], "comments", "resident_1_1", body="路过")
    assert error(stranger) == (404, "proposal_not_found")
    empty = step(client, world, made["id"], "comments", "resident_1_1", body="")
    assert error(empty) == (400, "validation_error")
    draft_only = drafted(client, world)
    hidden = step(client, world, draft_only["id"], "comments", "resident_1_1", body="看看")
    assert error(hidden) == (404, "proposal_not_found")
    # The tenant reads nothing either.
    assert error(show(client, world, made["id"], "tenant")) == (403, "owners_only")


def test_comments_only_during_notice(client, world):
    made = published(client, world)
    opened(client, world, made["id"])
    later = utcnow() + timedelta(days=9)
    with freeze_time(later):
        response = step(client, world, made["id"], "comments", "resident_1_1", True, body="晚了")
        assert error(response) == (409, "comments_closed")


def test_withdraw_with_a_reason(client, world):
    made = published(client, world)
    assert error(step(client, world, made["id"], "withdraw")) == (400, "validation_error")
    gone = stepped(client, world, made["id"], "withdraw", reason="方案需重新测算")
    assert (gone["status"], gone["actions"]) == ("withdrawn", [])
    assert gone["withdraw_reason"] == "方案需重新测算"
    assert gone["withdrawn_at"] is not None
    assert "原因：方案需重新测算" in inbox_of(world, "resident_1_1")[-1].body
    assert error(step(client, world, made["id"], "withdraw", reason="再撤")) == (
        409,
        "proposal_state",
    )


# ----- opening the vote -----


def test_open_before_the_notice_ends_is_refused(client, world):
    made = published(client, world)
    closes = (utcnow() + timedelta(days=3)).isoformat()
    response = step(client, world, made["id"], "open", closes_at=closes)
    assert error(response) == (409, "notice_not_over")
    assert "open" not in show(client, world, made["id"]).get_json()["actions"]


def test_open_freezes_the_roll_with_one_head_per_owner(client, world):
    subscribe(client, world, "resident_1_1")
    made = published(client, world)
    later = utcnow() + timedelta(days=8)
    with freeze_time(later):
        for closes in (later + timedelta(hours=23), later + timedelta(days=91)):
            bad = step(client, world, made["id"], "open", fresh=True, closes_at=closes.isoformat())
            assert error(bad) == (400, "closes_at_invalid")
        assert "open" in show(client, world, made["id"], fresh=True).get_json()["actions"]
    shown = opened(client, world, made["id"])
    assert (shown["status"], shown["status_label"]) == ("voting", "表决中")
    # 5 × 72.36 + 90.50 m²; heads: 1-1-101, 1-2-101, the K1 pair, the owner of two flats.
    assert shown["turnout"] == {
        "eligible_area_m2": "452.30",
        "eligible_heads": 4,
        "participating_area_m2": "0.00",
        "participating_heads": 0,
    }
    assert (
        db.session.scalar(
            select(func.count()).select_from(RollEntry).where(RollEntry.proposal_id == made["id"])
        )
        == 6
    )
    # The owners are asked to vote; the tenant is not.
    assert "请投票：自治管理费调整为 0.40 元" in [n.title for n in inbox_of(world, "resident_1_1")]
    assert [p.payload["data"]["thing1"] for p in pushes_to(world, "resident_1_1")][-1].startswith(
        "请投票"
    )
    assert not [n for n in inbox_of(world, "tenant") if n.title.startswith("请投票")]
    assert error(step(client, world, made["id"], "open", closes_at=shown["closes_at"])) == (
        409,
        "proposal_state",
    )


def test_an_owner_sees_their_flats_turnout_and_whether_to_vote(client, world):
    made = published(client, world)
    opened(client, world, made["id"])
    voting_time = utcnow() + timedelta(days=9)
    # Another helper's ballots: the owner of two flats voted for one of them.
    db.session.add(
        Ballot(
            proposal_id=made["id"],
            compound_id=world.compound.id,
            household_id=world.household_ids["1-2-201"],
            choice="yes",
            channel="app",
            status="counted",
            counted_key=f"{made['id']}:{world.household_ids['1-2-201']}",
            receipt="ABCDEFGHJK",
            cast_by_id=world.user_ids["two_flats"],
            cast_at=voting_time,
            counted_at=voting_time,
        )
    )
    db.session.flush()
    with freeze_time(voting_time):
        mine = show(client, world, made["id"], "two_flats", fresh=True).get_json()
        assert mine["turnout"]["participating_area_m2"] == "90.50"
        assert mine["turnout"]["participating_heads"] == 1
        assert "vote" in mine["actions"]
        assert mine["changeable_until"] == mine["closes_at"]
        flats = {h["label"]: h for h in mine["my_households"]}
        assert flats["1-2-201"]["ballot"]["receipt"] == "ABCDEFGHJK"
        assert flats["1-2-201"]["ballot"]["choice_label"] == "同意"
        assert flats["1-1-201"]["ballot"] is None
        assert flats["1-1-201"]["on_roll"] is True
        listed = client.get(
            f"/api/v1/compounds/{CODE}/proposals", headers=world.fresh_headers("two_flats")
        ).get_json()["items"]
        assert listed[0]["my_vote_needed"] is True  # 1-1-201 has not voted
        neighbour = show(client, world, made["id"], "resident_1_1", fresh=True).get_json()
        assert [h["label"] for h in neighbour["my_households"]] == ["1-1-101"]
        assert neighbour["my_households"][0]["ballot"] is None
        assert "ABCDEFGHJK" not in str(neighbour)
        volunteer = show(client, world, made["id"], "liaison_1_1", fresh=True).get_json()
        assert volunteer["my_households"] == []
        assert "record_paper" in volunteer["actions"]


def test_the_board_shows_proposals_to_owners_not_drafts(client, world):
    drafted(client, world, title="草稿事项")
    made = published(client, world, title="公示事项")
    board = client.get(f"/api/v1/compounds/{CODE}/board", headers=world.headers("resident_1_1"))
    assert board.status_code == 200, board.get_json()
    items = board.get_json()["proposals"]
    assert [(p["id"], p["title"], p["status"]) for p in items] == [
        (made["id"], "公示事项", "notice")
    ]
    tenant = client.get(f"/api/v1/compounds/{CODE}/board", headers=world.headers("tenant"))
    assert tenant.get_json()["proposals"] == []


# ----- helpers -----


def subscribe(client, world, who):
    config = client.get("/api/v1/config").get_json()
    template = config["subscribe_templates"]["reminder"]
    response = client.post(
        "/api/v1/me/subscriptions", json={"accepted": [template]}, headers=world.headers(who)
    )
    assert response.status_code == 200, response.get_json()


def inbox_of(world, who) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == world.user_ids[who])
            .order_by(Notification.id)
        )
    )


def pushes_to(world, who) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.user_id == world.user_ids[who])
            .order_by(OutboxMessage.id)
        )
    )


def test_comments_are_limited_per_person(app, client, world, monkeypatch):
    from server.extensions import limiter

    made = published(client, world)
    monkeypatch.setitem(app.config, "PROPOSAL_COMMENT_RATE", "2/minute")
    limiter.reset()
    try:
        statuses = [
            step(client, world, made["id"], "comments", "resident_1_1", body=f"意见{i}").status_code
            for i in range(3)
        ]
        assert statuses == [201, 201, 429]
        other = step(client, world, made["id"], "comments", "resident_1_2", body="我的意见")
        assert other.status_code == 201
    finally:
        limiter.reset()


def test_a_closed_proposal_shows_its_stored_result_with_labels(client, world):
    made = published(client, world)
    opened(client, world, made["id"])
    proposal = db.session.get(Proposal, made["id"])
    proposal.status, proposal.closed_at, proposal.passed = "closed", utcnow(), False
    proposal.result = {
        "rule": "majority",
        "eligible_area_m2": "452.30",
        "eligible_heads": 4,
        "participating_area_m2": "72.36",
        "participating_heads": 1,
        "options": [
            {"choice": "yes", "area_m2": "72.36", "heads": 1, "meets_rule": True},
            {"choice": "no", "area_m2": "0.00", "heads": 0, "meets_rule": False},
            {"choice": "abstain", "area_m2": "0.00", "heads": 0, "meets_rule": False},
        ],
        "quorum_area_met": False,
        "quorum_heads_met": False,
        "quorum_met": False,
        "winner": "yes",
        "passed": False,
    }
    db.session.flush()
    shown = show(client, world, made["id"], "resident_1_1", fresh=True).get_json()
    assert (shown["status_label"], shown["passed"], shown["actions"]) == ("已结束", False, [])
    assert [(o["label"], o["area_m2"]) for o in shown["result"]["options"]][:2] == [
        ("同意", "72.36"),
        ("反对", "0.00"),
    ]
    assert shown["result"]["rule_label"] == "参与表决面积和人数均过半数同意"
    assert shown["changeable_until"] is None


def test_opening_does_not_query_per_household(client, world):
    """The roll and the "请投票" lines for twenty more flats: the same statements."""
    subscribe(client, world, "resident_1_1")

    def count_open():
        made = published(client, world)
        later = utcnow() + timedelta(days=8)
        with freeze_time(later):
            headers = world.fresh_headers("committee")
            body = {"closes_at": (later + timedelta(days=3)).isoformat()}

            def call():
                response = client.post(
                    f"/api/v1/proposals/{made['id']}/open", json=body, headers=headers
                )
                assert response.status_code == 200, response.get_json()

            return len(statements(call))

    small = count_open()
    unit = world.units[0]
    for i in range(20):
        home = HouseholdFactory(unit_obj=unit, room=f"{5 + i // 4}0{i % 4 + 1}", floor=5 + i // 4)
        add_person(world, f"extra_{i}", "resident", home, relation="owner")
        subscribe(client, world, f"extra_{i}")
    db.session.flush()
    assert count_open() == small


def test_a_fee_rate_starts_this_month_or_later(client, world):
    effect = {"kind": "fee_rate", "item": "self_governance", "rate": "0.4"}
    past = draft(client, world, effect={**effect, "from_period": month(-1)})
    assert error(past) == (400, "period_invalid")
    year, number = month(1).split("-")
    made = drafted(client, world, effect={**effect, "from_period": month(1)})
    assert made["effect"] == {**effect, "from_period": month(1)}
    assert f"自{year}年{int(number)}月起执行" in made["effect_text"]
    garbled = draft(client, world, effect={**effect, "from_period": "2026-13"})
    assert error(garbled) == (400, "validation_error")


def test_an_expense_changed_during_notice_must_be_revised_before_the_vote(client, world):
    """The notice showed ¥9,000; the committee then made it ¥12,000: opening is refused
    until a revision (a new version on notice) shows the new amount."""
    row = Expense(
        compound_id=world.compound.id,
        fund="fee:self_governance",
        amount_fen=900000,
        purpose="更换单元门",
        payee="某门业公司",
        category="repair",
        status="proposed",
        large=True,
        proposed_by_id=world.user_ids["committee"],
    )
    db.session.add(row)
    db.session.flush()
    made = published(client, world, effect={"kind": "expense", "expense_id": row.id})
    row.amount_fen, row.version = 1200000, row.version + 1
    db.session.flush()
    later = utcnow() + timedelta(days=8)
    with freeze_time(later):
        closes = (later + timedelta(days=3)).isoformat()
        refused = step(client, world, made["id"], "open", fresh=True, closes_at=closes)
        assert error(refused) == (409, "effect_changed")
        revised = client.patch(
            f"/api/v1/proposals/{made['id']}",
            json={"effect": {"kind": "expense", "expense_id": row.id}, "note": "金额改为 1.2 万"},
            headers=world.fresh_headers("committee"),
        )
        assert revised.status_code == 200, revised.get_json()
        assert "12,000.00 元" in revised.get_json()["effect_text"]
    # The new amount is on notice for the full 7 days before the vote opens.
    again = later + timedelta(days=7, minutes=1)
    with freeze_time(again):
        closes = (again + timedelta(days=3)).isoformat()
        assert (
            stepped(client, world, made["id"], "open", fresh=True, closes_at=closes)["status"]
            == "voting"
        )


def test_a_revision_late_in_the_notice_gives_the_new_text_the_full_notice(client, world):
    made = published(client, world)  # 7 days
    late = utcnow() + timedelta(days=5)
    with freeze_time(late):
        revised = client.patch(
            f"/api/v1/proposals/{made['id']}",
            json={"body": "调整为 0.45 元。", "note": "改为 0.45"},
            headers=world.fresh_headers("committee"),
        )
        assert revised.status_code == 200, revised.get_json()
    ends = datetime.fromisoformat(revised.get_json()["notice_ends_at"])
    assert ends >= late + timedelta(days=7) - timedelta(seconds=1)
    with freeze_time(utcnow() + timedelta(days=8)):  # past the first notice, not the second
        closes = (utcnow() + timedelta(days=3)).isoformat()
        refused = step(client, world, made["id"], "open", fresh=True, closes_at=closes)
        assert error(refused) == (409, "notice_not_over")
