"""Owners' decisions end to end (issue 12's "Done when"), over the API:

a proposal to raise the self-governance fee from 0.35 to 0.40 yuan/m² (matter 9) is
drafted, put on notice, commented, revised (a comment on version 1 stays there), opened
once the notice is over and voted: owners in the app (one changes their vote), a paper
ballot recorded by the unit's liaison with a photo and confirmed by another volunteer,
another left unconfirmed; a tenant, a family member and another compound's resident are
refused. The job closes it at its time; its result matches a re-count done here from
the published (receipt, area, choice) list; each voter finds their receipt; a neighbour
walking every GET route learns nobody's ballot. Once a second committee member confirms
the fee change it brought, the next month's bills use 0.40/m²; a second proposal that
misses the quorum changes nothing. Then every boundary of art. 278 over HTTP, on small
compounds.
"""

from __future__ import annotations

import importlib
import json
import re
from collections import Counter
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from server.clock import SHANGHAI
from server.extensions import db
from server.jobs import JOBS
from server.models import Building, FeeItem
from server.services.money import fees, ledger
from server.services.people import roles
from tests.factories import (
    CompoundFactory,
    HouseholdFactory,
    UnitFactory,
    World,
    add_person,
    build_world,
    self_governance_fee,
)
from tests.helpers import inbox
from tests.steps import decide, uploaded_id
from tests.timing import day, month, shanghai_month_start

API = "/api/v1"
TWO_THIRDS, HALF = Fraction(2, 3), Fraction(1, 2)

# The compound of the journey: building 1, units 1 and 2, three flats each.
# label → (area, the flat's app owner or None, 产权人编号)
FLATS = {
    "1-1-101": ("80.50", "resident_1_1", None),  # 王秀兰: votes yes in the app
    "1-1-102": ("65.20", "owner_b", None),  # votes no; a tenant and a family member live there
    "1-1-201": ("90.00", "owner_c", None),  # votes yes on paper (liaison + second volunteer)
    "1-2-101": ("72.36", "resident_1_2", None),  # 李建国: no, then changes to yes
    "1-2-102": ("55.55", "owner_e", "K1"),  # abstains; owns 1-2-201 too (one head)
    "1-2-201": ("61.39", None, "K1"),  # its paper ballot is never confirmed: not counted
}


def when(moment) -> str:
    """A time as the mini-program sends it: ISO-8601 in Asia/Shanghai."""
    return moment.astimezone(SHANGHAI).isoformat()


class Api:
    """Requests of `world`'s people with tokens made now (the clock is frozen)."""

    def __init__(self, client, world: World):
        self.client, self.world = client, world

    def get(self, who: str, path: str):
        return self.client.get(API + path, headers=self.world.fresh_headers(who))

    def post(self, who: str, path: str, body=None):
        return self.client.post(API + path, json=body or {}, headers=self.world.fresh_headers(who))

    def patch(self, who: str, path: str, body):
        return self.client.patch(API + path, json=body, headers=self.world.fresh_headers(who))

    def ok(self, method: str, who: str, path: str, body=None, status: int = 200) -> dict:
        args = (who, path) if method == "get" else (who, path, body)
        response = getattr(self, method)(*args)
        assert response.status_code == status, (method, path, who, response.get_json())
        return response.get_json()

    def refused(self, method: str, who: str, path: str, body=None) -> tuple[int, str]:
        args = (who, path) if method == "get" else (who, path, body)
        response = getattr(self, method)(*args)
        assert response.status_code >= 400, (path, who, response.get_json())
        return response.status_code, response.get_json()["code"]


def run_job(name: str):
    """One run of a scheduled job, as the scheduler calls it."""
    (job,) = [job for job in JOBS if job.name == name]
    module, function = job.func.split(":")
    return getattr(importlib.import_module(module), function)()


def journey_world() -> tuple[World, World]:
    world = build_world("aa")
    for label, (area, owner, key) in FLATS.items():
        flat = world.household(label)
        flat.area_m2, flat.owner_key = Decimal(area), key
        if owner and owner not in world.people:
            add_person(world, owner, "resident", flat, relation="owner", name=f"业主{label}")
    add_person(world, "tenant_b", "resident", world.household("1-1-102"), relation="tenant")
    add_person(world, "family_b", "resident", world.household("1-1-102"), relation="family")
    self_governance_fee(world.compound)
    other = build_world("bb")
    db.session.flush()
    return world, other


def fen(area: str, rate: str) -> int:
    """domain.md: round_half_up(area × rate × 100), rounded once."""
    return int((Decimal(area) * Decimal(rate) * 100).quantize(Decimal(1), ROUND_HALF_UP))


def test_a_fee_rise_is_drafted_discussed_voted_closed_recounted_and_applied(
    client, db_session, photo_storage
):
    world, other = journey_world()
    api = Api(client, world)
    outsider = Api(client, other)
    ids = world.household_ids
    t0 = shanghai_month_start(1) + timedelta(days=1, hours=2)  # the 2nd of next month
    fee = {"kind": "fee_rate", "item": "self_governance", "rate": "0.40"}

    # ----- draft and notice -----
    with freeze_time(t0, tick=True):
        fees.generate_bills(month(1), "aa")  # this month's bills, at 0.35
        draft = api.ok(
            "post",
            "committee",
            "/compounds/aa/proposals",
            {
                "title": "自治管理费调整为每月0.40元/平方米",
                "body": "楼道照明和保洁开支增加，拟自下月起调整。",
                "matter": 9,
                "effect": fee,
            },
            status=201,
        )
        pid = draft["id"]
        assert (draft["status"], draft["version"], draft["matter"]) == ("draft", 1, 9)
        assert [o["choice"] for o in draft["options"]] == ["yes", "no", "abstain"]
        assert [o["label"] for o in draft["options"]] == ["同意", "反对", "弃权"]
        assert draft["rule"] == "majority"
        # A draft is the committee's: an owner does not find it.
        assert api.refused("get", "resident_1_1", f"/proposals/{pid}") == (
            404,
            "proposal_not_found",
        )
        # A second proposal, to 0.50, that will miss the quorum.
        low = api.ok(
            "post",
            "committee",
            "/compounds/aa/proposals",
            {
                "title": "自治管理费调整为0.50元",
                "body": "另一方案。",
                "matter": 9,
                "effect": {**fee, "rate": "0.50"},
            },
            status=201,
        )["id"]

        short = api.refused("post", "committee", f"/proposals/{pid}/publish", {"notice_days": 3})
        assert short == (400, "notice_too_short")
        published = api.ok("post", "committee", f"/proposals/{pid}/publish", {})
        assert published["status"] == "notice"
        api.ok("post", "committee", f"/proposals/{low}/publish", {"notice_days": 7})
        board = api.ok("get", "resident_1_2", "/compounds/aa/board")
        assert pid in [p["id"] for p in board["proposals"]]

    with freeze_time(t0 + timedelta(hours=2), tick=True):
        comment = api.ok(
            "post", "owner_b", f"/proposals/{pid}/comments", {"body": "涨得太多了"}, status=201
        )
        assert (comment["version"], comment["mine"]) == (1, True)
        assert comment["author_label"] == "1号楼1单元业主"
        for who in ("tenant_b", "family_b"):
            refused = api.refused("post", who, f"/proposals/{pid}/comments", {"body": "我也说"})
            assert refused == (403, "owners_only")
        assert outsider.refused(
            "post", "resident_1_1", f"/proposals/{pid}/comments", {"body": "x"}
        ) == (
            404,
            "proposal_not_found",
        )

    # ----- revised during notice: version 2; the comment stays on version 1 -----
    with freeze_time(t0 + timedelta(days=1), tick=True):
        told_before = len(inbox(world.user_ids["owner_b"]))
        quiet_before = len(inbox(world.user_ids["owner_e"]))
        no_note = api.patch("committee", f"/proposals/{pid}", {"body": "改后的说明"})
        assert no_note.status_code == 400, no_note.get_json()
        revised = api.ok(
            "patch",
            "committee",
            f"/proposals/{pid}",
            {
                "body": "楼道照明和保洁开支增加，拟自下月起调整；低保户按原标准。",
                "note": "补充：低保户按原标准收取",
            },
        )
        assert (revised["status"], revised["version"]) == ("notice", 2)
        # The revised text gets the full notice: 7 days from the revision, not from t0.
        ends = datetime.fromisoformat(revised["notice_ends_at"])
        assert ends >= t0 + timedelta(days=8) - timedelta(seconds=1)
        assert [v["version"] for v in revised["versions"]] == [2, 1]
        assert revised["versions"][0]["note"] == "补充：低保户按原标准收取"
        assert len(inbox(world.user_ids["owner_b"])) == told_before + 1  # they commented
        assert len(inbox(world.user_ids["owner_e"])) == quiet_before

        on_v1 = api.ok("get", "resident_1_1", f"/proposals/{pid}/comments?version=1")["items"]
        assert [(c["body"], c["version"], c["mine"]) for c in on_v1] == [("涨得太多了", 1, False)]
        assert api.ok("get", "resident_1_1", f"/proposals/{pid}/comments?version=2")["items"] == []
        api.ok("post", "resident_1_1", f"/proposals/{pid}/comments", {"body": "同意"}, status=201)
        answer = api.ok(
            "post", "committee", f"/proposals/{pid}/comments", {"body": "低保户不涨"}, status=201
        )
        assert answer["author_label"] == "业委会"
        every = api.ok("get", "owner_b", f"/proposals/{pid}/comments")["items"]
        assert [(c["version"], c["body"]) for c in every] == [
            (1, "涨得太多了"),
            (2, "同意"),
            (2, "低保户不涨"),
        ]
        early = api.refused(
            "post",
            "committee",
            f"/proposals/{pid}/open",
            {"closes_at": when(t0 + timedelta(days=10))},
        )
        assert early == (409, "notice_not_over")

    # ----- voting -----
    opened_at = t0 + timedelta(days=8, hours=1)
    closes = t0 + timedelta(days=11)
    with freeze_time(opened_at, tick=True):
        too_soon = {"closes_at": when(opened_at + timedelta(hours=2))}
        assert api.refused("post", "committee", f"/proposals/{pid}/open", too_soon) == (
            400,
            "closes_at_invalid",
        )
        for proposal in (pid, low):
            voting = api.ok(
                "post", "committee", f"/proposals/{proposal}/open", {"closes_at": when(closes)}
            )
            assert voting["status"] == "voting"
        turnout = voting["turnout"]
        assert (turnout["eligible_area_m2"], turnout["eligible_heads"]) == ("425.00", 5)

    receipts: dict[str, str] = {}  # flat → its counted ballot's receipt
    with freeze_time(opened_at + timedelta(days=1), tick=True):

        def vote(who: str, label: str, choice: str, proposal=pid) -> dict:
            body = {"household_id": ids[label], "choice": choice}
            cast = api.ok("post", who, f"/proposals/{proposal}/ballots", body)
            assert cast["household_id"] == ids[label]
            assert cast["choice"] == choice
            assert len(cast["receipt"]) == 10
            return cast

        mine = api.ok("get", "resident_1_1", f"/proposals/{pid}")
        assert mine["my_vote_needed"] is True
        assert "vote" in mine["actions"]
        assert [(h["label"], h["on_roll"], h["ballot"]) for h in mine["my_households"]] == [
            ("1-1-101", True, None)
        ]
        receipts["1-1-101"] = vote("resident_1_1", "1-1-101", "yes")["receipt"]
        receipts["1-1-102"] = vote("owner_b", "1-1-102", "no")["receipt"]
        receipts["1-2-102"] = vote("owner_e", "1-2-102", "abstain")["receipt"]
        first = vote("resident_1_2", "1-2-101", "no")
        assert first["replaced"] is False
        changed = vote("resident_1_2", "1-2-101", "yes")  # changes their mind: replaced
        assert changed["replaced"] is True
        assert changed["receipt"] != first["receipt"]
        receipts["1-2-101"] = changed["receipt"]
        vote("resident_1_1", "1-1-101", "yes", proposal=low)  # the only ballot of the other

        # Who may not vote, and what may not be voted.
        ballot_b = {"household_id": ids["1-1-102"], "choice": "yes"}
        for who in ("tenant_b", "family_b"):
            assert api.refused("post", who, f"/proposals/{pid}/ballots", ballot_b) == (
                403,
                "owners_only",
            )
        assert api.refused("post", "resident_1_1", f"/proposals/{pid}/ballots", ballot_b)[0] == 403
        assert (
            outsider.refused("post", "resident_1_1", f"/proposals/{pid}/ballots", ballot_b)[0]
            == 404
        )
        bad = {"household_id": ids["1-1-101"], "choice": "maybe"}
        assert api.refused("post", "resident_1_1", f"/proposals/{pid}/ballots", bad) == (
            400,
            "choice_invalid",
        )

        # A paper ballot: the liaison records it with a photo of the signed paper ...
        photo = uploaded_id(client, world, who="liaison_1_1")
        paper = api.ok(
            "post",
            "liaison_1_1",
            f"/proposals/{pid}/paper-ballots",
            {"household_id": ids["1-1-201"], "choice": "yes", "photo": photo},
            status=201,
        )
        assert (paper["status"], paper["channel"], paper["household_label"]) == (
            "pending",
            "paper",
            "1-1-201",
        )
        # ... not the one who recorded it, another volunteer confirms it.
        own = api.post("liaison_1_1", f"/paper-ballots/{paper['id']}/confirm")
        assert own.status_code in (403, 409), own.get_json()
        waiting = api.ok("get", "liaison_1_2", f"/proposals/{pid}/paper-ballots?status=pending")
        assert [(p["id"], p["mine"], p["photo"]) for p in waiting["items"]] == [
            (paper["id"], False, photo)
        ]
        counted = api.ok("post", "liaison_1_2", f"/paper-ballots/{paper['id']}/confirm")
        assert counted["status"] == "counted"
        assert counted["receipt"] is None  # the volunteer is not shown the receipt...
        # ... the flat's owner in the app is told it.
        (told,) = [n for n in inbox(world.user_ids["owner_c"]) if n.kind == "paper_ballot"]
        receipt = re.search(r"回执码 ([A-Z0-9]{10})", told.body)[1]
        receipts["1-1-201"] = receipt
        shown = api.ok("get", "owner_c", f"/proposals/{pid}")["my_households"]
        assert [(h["label"], h["ballot"]["receipt"], h["ballot"]["channel"]) for h in shown] == [
            ("1-1-201", receipt, "paper")
        ]
        # A second paper ballot, for 1-2-201, is never confirmed: it will not count.
        api.ok(
            "post",
            "liaison_1_2",
            f"/proposals/{pid}/paper-ballots",
            {
                "household_id": ids["1-2-201"],
                "choice": "yes",
                "photo": uploaded_id(client, world, who="liaison_1_2"),  # each its own paper
            },
            status=201,
        )

        # While voting: totals only; no result; the liaison's roll says who voted, not how.
        during = api.ok("get", "owner_b", f"/proposals/{pid}")
        assert set(during["turnout"]) == {
            "eligible_area_m2",
            "eligible_heads",
            "participating_area_m2",
            "participating_heads",
        }
        assert during["turnout"]["participating_area_m2"] == "363.61"
        assert during.get("result") is None
        assert api.refused("get", "owner_b", f"/proposals/{pid}/result") == (
            409,
            "result_not_ready",
        )
        unit_1 = world.units[0].id
        roll = api.ok("get", "liaison_1_1", f"/proposals/{pid}/roll?unit_id={unit_1}")["items"]
        assert {r["label"]: r["voted"] for r in roll} == {
            "1-1-101": True,
            "1-1-102": True,
            "1-1-201": True,
        }
        assert not any("choice" in r or "receipt" in r for r in roll)
        neighbour_sees_nothing(api, pid, receipts, phase="voting")
        liaison_sees_no_app_ballot(api, pid, receipts)

    with freeze_time(closes - timedelta(minutes=1), tick=True):
        assert api.refused("post", "committee", f"/proposals/{pid}/close") == (409, "voting_open")

    # ----- closed by the job -----
    with freeze_time(closes + timedelta(minutes=2), tick=True):
        late = {"household_id": ids["1-1-102"], "choice": "yes"}
        assert api.refused("post", "owner_b", f"/proposals/{pid}/ballots", late) == (
            409,
            "voting_closed",
        )
        run_job("close_due_proposals")
        closed = api.ok("get", "resident_1_1", f"/proposals/{pid}")
        assert (closed["status"], closed["passed"]) == ("closed", True)
        result = api.ok("get", "owner_b", f"/proposals/{pid}/result")

    # The published list re-counted here, independently, in fractions.
    ballots = result["ballots"]
    assert [b["receipt"] for b in ballots] == sorted(receipts.values())
    assert all(set(b) == {"receipt", "area_m2", "choice", "head"} for b in ballots)
    assert first["receipt"] not in [b["receipt"] for b in ballots]  # replaced: not counted
    area = {c: Fraction(0) for c in ("yes", "no", "abstain")}
    for b in ballots:
        area[b["choice"]] += Fraction(Decimal(b["area_m2"]))
    # Heads: the ballots carrying their owner's head (one per owner, however many flats).
    heads = Counter(b["choice"] for b in ballots if b["head"])
    eligible_area = Fraction(Decimal(result["eligible_area_m2"]))
    eligible_heads = result["eligible_heads"]
    part_area, part_heads = sum(area.values()), sum(heads.values())
    assert (Fraction(Decimal(result["participating_area_m2"])), result["participating_heads"]) == (
        part_area,
        part_heads,
    )
    for option in result["options"]:
        assert Fraction(Decimal(option["area_m2"])) == area[option["choice"]], option
        assert option["heads"] == heads[option["choice"]], option
    quorum = part_area >= TWO_THIRDS * eligible_area and part_heads >= TWO_THIRDS * eligible_heads
    passed = quorum and area["yes"] > HALF * part_area and heads["yes"] > HALF * part_heads
    assert (result["quorum_met"], result["passed"], result["rule"]) == (quorum, passed, "majority")
    # And the figures themselves, worked by hand.
    assert (result["eligible_area_m2"], result["eligible_heads"]) == ("425.00", 5)
    assert (result["participating_area_m2"], result["participating_heads"]) == ("363.61", 5)
    figures = {o["choice"]: (o["area_m2"], o["heads"]) for o in result["options"]}
    assert figures == {"yes": ("242.86", 3), "no": ("65.20", 1), "abstain": ("55.55", 1)}
    assert (result["quorum_met"], result["passed"], result["winner"]) == (True, True, "yes")

    with freeze_time(closes + timedelta(minutes=5), tick=True):
        # Every voter finds their own receipt, and only theirs.
        for label, (_area, owner, _key) in FLATS.items():
            if label not in receipts:
                continue
            found = api.ok("get", owner, f"/proposals/{pid}/result")["my_receipts"]
            assert found == [receipts[label]], owner
            entry = next(b for b in ballots if b["receipt"] == receipts[label])
            assert entry["area_m2"] == FLATS[label][0]
        neighbour_sees_nothing(api, pid, receipts, phase="closed")
        failed = api.ok("get", "committee", f"/proposals/{low}/result")
        assert (failed["quorum_met"], failed["passed"]) == (False, False)
        assert (failed["participating_heads"], failed["eligible_heads"]) == (1, 5)

        # The fee change waits for a second committee member, then shapes next month.
        changes = api.ok("get", "committee_2", "/compounds/aa/pending-changes")["items"]
        assert [(c["kind"], c["details"].get("proposal_id")) for c in changes] == [
            ("fee_change", pid)
        ]  # the failed proposal proposed nothing
        (change,) = changes
        assert "业主大会表决通过" in change["summary"]
        assert Decimal(change["details"]["to"]["rate"]) == Decimal("0.40")
        assert change["effective_period"] == month(2)
        assert decide(client, world, change["id"], "committee").status_code == 403
        confirmed = decide(client, world, change["id"], "committee_2")
        assert confirmed.status_code == 200, confirmed.get_json()
        fees.generate_bills(month(2), "aa")
        bills = api.ok("get", "resident_1_1", "/bills")["items"]
        amounts = {b["period"]: b["amount_fen"] for b in bills if b["item"] == "self_governance"}
        assert amounts == {month(1): fen("80.50", "0.35"), month(2): fen("80.50", "0.40")}
        assert (amounts[month(1)], amounts[month(2)]) == (2818, 3220)
        item = db.session.scalars(
            select(FeeItem)
            .where(FeeItem.compound_id == world.compound.id)
            .execution_options(populate_existing=True)
        ).one()
        assert item.rate == Decimal("0.40")  # not the failed proposal's 0.50


def neighbour_sees_nothing(api: Api, pid: int, receipts: dict[str, str], phase: str) -> None:
    """owner_b (1-1-102) walks every GET route of the proposal: no other flat, no other
    person, no other voter's receipt (while voting) or receipt tied to a flat (closed)."""
    paths = [
        "/compounds/aa/proposals",
        f"/proposals/{pid}",
        f"/proposals/{pid}/comments",
        f"/proposals/{pid}/result",
        f"/proposals/{pid}/roll",
        f"/proposals/{pid}/paper-ballots",
        f"/proposals/{pid}/audit",
        "/compounds/aa/board",
    ]
    own, own_receipt = api.world.household_ids["1-1-102"], receipts["1-1-102"]
    others = {label: receipt for label, receipt in receipts.items() if label != "1-1-102"}
    names = [f"业主{label}" for label in FLATS if label != "1-1-102"] + ["王秀兰", "李建国"]
    for path in paths:
        response = api.get("owner_b", path)
        if path.endswith(("/roll", "/paper-ballots", "/audit")):
            assert response.status_code in (403, 404), (path, response.get_json())
            continue
        if phase == "voting" and path.endswith("/result"):
            assert response.status_code == 409, response.get_json()
            continue
        assert response.status_code == 200, (path, response.get_json())
        body = response.get_json()
        text = json.dumps(body, ensure_ascii=False)
        for label in FLATS:
            assert label == "1-1-102" or label not in text, (phase, path, label)
        assert [name for name in names if name in text] == [], (phase, path)
        for found in dicts(body):
            if "household_id" in found:
                assert found["household_id"] == own, (phase, path, found)
            if "receipt" in found and found["receipt"] != own_receipt:
                # Only the published list shows others' receipts, and never with a flat.
                assert phase == "closed"
                assert set(found) == {"receipt", "area_m2", "choice", "head"}
        if phase == "voting":
            assert [r for r in others.values() if r in text] == [], path


def liaison_sees_no_app_ballot(api: Api, pid: int, receipts: dict[str, str]) -> None:
    """liaison_1_1 walks the same routes while voting: who voted, and the paper ballots
    they handle, but no app ballot's choice or receipt."""
    app_receipts = [r for label, r in receipts.items() if label != "1-1-201"]
    for path in (
        "/compounds/aa/proposals",
        f"/proposals/{pid}",
        f"/proposals/{pid}/comments",
        f"/proposals/{pid}/roll",
        f"/proposals/{pid}/paper-ballots",
        f"/proposals/{pid}/result",
        f"/proposals/{pid}/audit",
        "/compounds/aa/board",
    ):
        response = api.get("liaison_1_1", path)
        if path.endswith(("/result", "/audit")):
            assert response.status_code in (403, 409), (path, response.get_json())
            continue
        assert response.status_code == 200, (path, response.get_json())
        body = response.get_json()
        text = json.dumps(body, ensure_ascii=False)
        assert [r for r in app_receipts if r in text] == [], path
        for found in dicts(body):
            if "choice" in found and ({"household_id", "household_label"} & set(found)):
                assert found.get("channel") in ("paper", "proxy"), (path, found)


def dicts(value):
    """Every dict inside a JSON value."""
    if isinstance(value, dict):
        yield value
        for inner in value.values():
            yield from dicts(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from dicts(inner)


# ----- every boundary of art. 278, over HTTP, on small compounds -----

YES, NO = "yes", "no"
# (matter, flats as (area, owner, vote or None), (quorum_area_met, quorum_heads_met, passed))
BOUNDARIES = {
    "exactly 2/3 of the area and of the heads": (
        9,
        [("50.00", "a", YES), ("50.00", "b", YES), ("50.00", "c", None)],
        (True, True, True),
    ),
    "exactly 2/3 of the area, one head short": (
        9,
        [("50.00", "a", YES), ("50.00", "b", YES), ("25.00", "c", None), ("25.00", "d", None)],
        (True, False, False),
    ),
    "area met but heads not: one owner of four flats is one head": (
        9,
        [("30.00", "a", YES)] * 4 + [("30.00", "b", None), ("30.00", "c", None)],
        (True, False, False),
    ),
    "heads met but area not": (
        9,
        [("10.00", "a", YES), ("10.00", "b", YES), ("100.00", "c", None)],
        (False, True, False),
    ),
    "exactly half is no majority": (
        9,
        [("50.00", "a", YES), ("50.00", "b", YES), ("50.00", "c", NO), ("50.00", "d", NO)],
        (True, True, False),
    ),
    "matter 8: exactly 3/4 of area and heads passes": (
        8,
        [("50.00", "a", YES), ("50.00", "b", YES), ("50.00", "c", YES), ("50.00", "d", NO)],
        (True, True, True),
    ),
    "matter 8: 0.01 m² under 3/4 of the area fails": (
        8,
        [("50.00", "a", YES), ("50.00", "b", YES), ("49.99", "c", YES), ("50.01", "d", NO)],
        (True, True, False),
    ),
    "matter 8: 3/4 of the area but not of the heads fails": (
        8,
        [
            ("100.00", "a", YES),
            ("100.00", "b", YES),
            ("10.00", "c", YES),
            ("10.00", "d", NO),
            ("10.00", "e", NO),
        ],
        (True, True, False),
    ),
}


def small_compound(code: str, flats: list[tuple[str, str, str | None]]) -> World:
    """Building 1, unit 1, one flat per floor (101, 201, ...); the same owner letter is
    one person bound to each of their flats (and one 产权人编号); a committee member."""
    compound = CompoundFactory(code=code, name=f"{code}小区")
    ledger.open_chain(compound.id)
    building = Building(compound_id=compound.id, number=1, name="1号楼")
    db.session.add(building)
    db.session.flush()
    unit = UnitFactory(building_obj=building, number=1)
    world = World(compound, [unit], {})
    for floor, (area, owner, _vote) in enumerate(flats, start=1):
        flat = HouseholdFactory(
            unit_obj=unit, room=f"{floor}01", floor=floor, area_m2=Decimal(area), owner_key=owner
        )
        world.households[flat.label] = flat
        world.household_ids[flat.label] = flat.id
        if owner in world.people:
            roles.grant(world.user_ids[owner], "resident", flat, relation="owner")
        else:
            add_person(world, owner, "resident", flat, relation="owner")
    add_person(world, "committee", "committee", compound)
    db.session.flush()
    return world


@pytest.mark.parametrize("case", list(BOUNDARIES), ids=list(BOUNDARIES))
def test_each_boundary_of_article_278_decides_exactly(client, db_session, case):
    matter, flats, expected = BOUNDARIES[case]
    world = small_compound("edge", flats)
    api = Api(client, world)
    start = day(1, "02:00")
    opened = start + timedelta(days=7, minutes=1)
    closes = opened + timedelta(hours=25)
    with freeze_time(start, tick=True):
        body = {"title": "边界", "body": "按第二百七十八条计票", "matter": matter}
        pid = api.ok("post", "committee", "/compounds/edge/proposals", body, status=201)["id"]
        api.ok("post", "committee", f"/proposals/{pid}/publish", {})
    with freeze_time(opened, tick=True):
        api.ok("post", "committee", f"/proposals/{pid}/open", {"closes_at": when(closes)})
        for (_area, owner, vote), label in zip(flats, world.households, strict=True):
            if vote:
                body = {"household_id": world.household_ids[label], "choice": vote}
                api.ok("post", owner, f"/proposals/{pid}/ballots", body)
    with freeze_time(closes + timedelta(minutes=1), tick=True):
        closed = api.ok("post", "committee", f"/proposals/{pid}/close")
        assert (closed["status"], closed["passed"]) == ("closed", expected[2])
        result = api.ok("get", "a", f"/proposals/{pid}/result")
    assert (
        result["quorum_area_met"],
        result["quorum_heads_met"],
        result["passed"],
    ) == expected
    assert result["rule"] == ("three_quarters" if matter == 8 else "majority")
    assert result["eligible_area_m2"] == str(sum(Decimal(area) for area, _, _ in flats))
    assert result["eligible_heads"] == len({owner for _, owner, _ in flats})
