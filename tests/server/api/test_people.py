"""The committee's people list, taking a role away with a reason, and committee terms."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.extensions import db
from server.models import AccessLog, Issue, Membership, SubscriptionQuota
from server.services.people import roles
from tests.factories import add_person, build_world, make_issue
from tests.helpers import inbox, together
from tests.steps import acted
from tests.timing import shanghai_date


@pytest.fixture
def cli(app, db_session):
    return app.test_cli_runner()


@pytest.fixture
def world(db_session):
    world = build_world("aa")
    add_person(world, "admin", "admin", None)
    return world


def people(client, world, who="committee", query=""):
    return client.get(f"/api/v1/compounds/aa/people{query}", headers=world.fresh_headers(who))


def membership_id(world, who, role) -> int:
    return db.session.scalar(
        select(Membership.id).where(
            Membership.user_id == world.user_ids[who], Membership.role == role
        )
    )


def revoke(client, world, mid, who="committee", reason="搬家离开小区", code="aa"):
    body = {} if reason is None else {"reason": reason}
    return client.post(
        f"/api/v1/compounds/{code}/memberships/{mid}/revoke",
        json=body,
        headers=world.fresh_headers(who),
    )


def set_term(client, world, mid, start, end, who="committee", code="aa"):
    return client.patch(
        f"/api/v1/compounds/{code}/memberships/{mid}/term",
        json={"term_start": start.isoformat(), "term_end": end.isoformat()},
        headers=world.fresh_headers(who),
    )


def test_the_supervisor_reads_everyone_but_residents(client, world):
    liaison = world.people["liaison_1_1"]
    liaison.shared_phone = "13812345678"
    db.session.add(
        SubscriptionQuota(user_id=liaison.id, template_id="sandbox-new_issue", remaining=3)
    )
    committee = db.session.get(Membership, membership_id(world, "committee", "committee"))
    committee.name = "张主任"
    committee.term_end = shanghai_date(60)
    db.session.flush()

    response = people(client, world, "supervisor")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    rows = [(p["role"], p["scope_label"], p["name"]) for p in body["items"]]
    assert rows == [
        ("committee", "小区", "张主任"),
        ("committee", "小区", world.people["committee_2"].nickname),
        ("liaison", "1号楼1单元", liaison.nickname),
        ("liaison", "1号楼2单元", world.people["liaison_1_2"].nickname),
        ("building_lead", "1号楼", world.people["lead_1"].nickname),
        ("supervisor", "小区", world.people["supervisor"].nickname),
    ]
    first_liaison = body["items"][2]
    assert first_liaison["phone"] == "138****5678"
    assert first_liaison["reachable"] is True
    assert body["items"][3]["reachable"] is False  # nothing but the in-app inbox
    assert body["items"][0]["due_for_reelection"] is True
    assert body["items"][1]["due_for_reelection"] is False
    assert body["committee_due"] == 1
    assert body["open_invites"] == 0
    seen = db.session.scalars(
        select(AccessLog.subject_id).where(
            AccessLog.actor_id == world.user_ids["supervisor"],
            AccessLog.subject_type == "role_holder",
        )
    ).all()
    assert world.user_ids["liaison_1_1"] in seen
    assert world.user_ids["resident_1_1"] not in seen

    only = people(client, world, "admin", "?role=liaison").get_json()["items"]
    assert [p["scope_label"] for p in only] == ["1号楼1单元", "1号楼2单元"]
    assert people(client, world, query="?role=resident").status_code == 400


def test_the_list_comes_a_page_at_a_time_in_the_same_order(client, world):
    committee = db.session.get(Membership, membership_id(world, "committee", "committee"))
    committee.term_end = shanghai_date(30)
    db.session.flush()
    whole = people(client, world).get_json()
    assert whole["total"] == 6
    assert whole["next_cursor"] is None
    assert whole["counts"] == {"committee": 2, "liaison": 2, "building_lead": 1, "supervisor": 1}

    seen, cursor, pages = [], None, []
    while True:
        query = "?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = people(client, world, query=query).get_json()
        pages.append(len(page["items"]))
        seen += page["items"]
        assert page["total"] == whole["total"]
        assert page["committee_due"] == 1  # of the whole list, whatever the page shows
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == [2, 2, 2]
    assert seen == whole["items"]

    seen_logged = db.session.scalars(
        select(AccessLog.subject_id).where(
            AccessLog.actor_id == world.user_ids["committee"],
            AccessLog.subject_type == "role_holder",
        )
    ).all()
    assert set(seen_logged) == {p["user_id"] for p in whole["items"]}


@pytest.mark.parametrize("query", ["?cursor=abc", "?cursor=-2", "?limit=0", "?limit=201"])
def test_a_bad_page_is_refused_in_plain_words(client, world, query):
    response = people(client, world, query=query)
    assert response.status_code == 400
    assert response.get_json()["code"] == "validation_error"


def test_a_cursor_past_the_end_gives_an_empty_last_page(client, world):
    page = people(client, world, query="?cursor=500").get_json()
    assert (page["items"], page["next_cursor"], page["total"]) == ([], None, 6)


def test_a_name_nobody_gave_reads_as_not_filled_in(client, world):
    world.people["lead_1"].nickname = None
    db.session.flush()
    items = people(client, world).get_json()["items"]
    assert next(p for p in items if p["role"] == "building_lead")["name"] == "未填写姓名"


@pytest.mark.parametrize("who", ["liaison_1_1", "lead_1", "resident_1_1"])
def test_a_liaison_or_resident_is_refused(client, world, who):
    refused = people(client, world, who)
    assert (refused.status_code, refused.get_json()["code"]) == (403, "committee_only")
    mid = membership_id(world, "liaison_1_2", "liaison")
    refused = revoke(client, world, mid, who)
    assert (refused.status_code, refused.get_json()["code"]) == (403, "committee_only")
    assert db.session.get(Membership, mid) is not None


def test_the_supervisor_reads_but_does_not_revoke(client, world):
    mid = membership_id(world, "liaison_1_2", "liaison")
    refused = revoke(client, world, mid, "supervisor")
    assert (refused.status_code, refused.get_json()["code"]) == (403, "committee_only")


def test_another_compounds_committee_gets_not_found_everywhere(client, world):
    other = build_world("bb")
    mid = membership_id(world, "committee_2", "committee")
    headers = other.headers("committee")
    base = "/api/v1/compounds/aa"
    for response in (
        client.get(f"{base}/people", headers=headers),
        client.post(f"{base}/memberships/{mid}/revoke", json={"reason": "x"}, headers=headers),
        client.patch(
            f"{base}/memberships/{mid}/term",
            json={
                "term_start": shanghai_date(0).isoformat(),
                "term_end": shanghai_date(1000).isoformat(),
            },
            headers=headers,
        ),
        client.get(f"{base}/audit-log", headers=headers),
    ):
        assert response.status_code == 404, response.get_json()
        assert response.get_json()["code"] == "compound_not_found"
    # aa's membership asked for under bb: not one of bb's.
    response = revoke(client, other, mid, code="bb")
    assert (response.status_code, response.get_json()["code"]) == (404, "membership_not_found")


def test_a_reason_is_required_and_residents_are_not_here(client, world):
    mid = membership_id(world, "liaison_1_2", "liaison")
    for reason in (None, "", "   "):
        refused = revoke(client, world, mid, reason=reason)
        assert (refused.status_code, refused.get_json()["code"]) == (400, "reason_required")
        assert refused.get_json()["message"] == "请填写免去的理由"
    resident = membership_id(world, "resident_1_1", "resident")
    refused = revoke(client, world, resident)
    assert (refused.status_code, refused.get_json()["code"]) == (404, "membership_not_found")


def test_the_last_committee_member_stays(client, world):
    first = membership_id(world, "committee", "committee")
    second = membership_id(world, "committee_2", "committee")
    assert revoke(client, world, second, reason="换届").status_code == 200
    refused = revoke(client, world, first, who="admin", reason="换届")
    assert (refused.status_code, refused.get_json()["code"]) == (409, "last_committee")
    assert "最后一位" in refused.get_json()["message"]
    assert db.session.get(Membership, first) is not None


def test_revoking_a_liaison_moves_their_issues_on_and_tells_them_why(client, world):
    issue = make_issue(*world.reporter())  # 1-1-101
    acted(client, world, issue.id, "liaison_1_1", "accept")
    assert db.session.get(Issue, issue.id).handler_id == world.user_ids["liaison_1_1"]
    mid = membership_id(world, "liaison_1_1", "liaison")

    response = revoke(client, world, mid, reason="年纪大了，主动请辞")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["title"] == "1号楼1单元联络人"
    assert db.session.get(Membership, mid) is None
    db.session.expire_all()
    assert db.session.get(Issue, issue.id).handler_id is None
    told = inbox(world.user_ids["liaison_1_1"])[-1]
    assert told.title == "您的1号楼1单元联络人职务已免去"
    assert "年纪大了，主动请辞" in told.body
    again = revoke(client, world, mid)
    assert (again.status_code, again.get_json()["code"]) == (404, "membership_not_found")


def test_an_archived_compound_keeps_its_terms_but_a_role_can_be_taken_away(client, world):
    world.compound.archived_at = world.compound.created_at
    db.session.flush()
    mid = membership_id(world, "committee_2", "committee")
    refused = set_term(client, world, mid, shanghai_date(-30), shanghai_date(1800))
    assert (refused.status_code, refused.get_json()["code"]) == (409, "compound_archived")
    assert people(client, world).status_code == 200  # still read
    # Taking access to its people's data away is always allowed.
    liaison = membership_id(world, "liaison_1_2", "liaison")
    assert revoke(client, world, liaison).status_code == 200
    assert db.session.get(Membership, liaison) is None
    listed = people(client, world).get_json()["items"]
    assert liaison not in {p["membership_id"] for p in listed}


def test_setting_a_committee_term(client, world):
    mid = membership_id(world, "committee_2", "committee")
    start, end = shanghai_date(-30), shanghai_date(1800)
    response = set_term(client, world, mid, start, end)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["term_start"], body["term_end"]) == (start.isoformat(), end.isoformat())
    assert body["due_for_reelection"] is False
    ending = set_term(client, world, mid, start, shanghai_date(10), who="admin").get_json()
    assert ending["due_for_reelection"] is True

    backwards = set_term(client, world, mid, start, start)
    assert (backwards.status_code, backwards.get_json()["code"]) == (400, "bad_term")
    over = set_term(client, world, mid, shanghai_date(-900), shanghai_date(-1))
    assert (over.status_code, over.get_json()["code"]) == (400, "bad_term")
    own = set_term(client, world, mid, start, shanghai_date(3000), who="committee_2")
    assert (own.status_code, own.get_json()["code"]) == (403, "same_person")
    assert set_term(client, world, mid, start, shanghai_date(0)).status_code == 200  # ends today
    liaison = membership_id(world, "liaison_1_1", "liaison")
    refused = set_term(client, world, liaison, start, end)
    assert (refused.status_code, refused.get_json()["code"]) == (400, "no_term")
    refused = set_term(client, world, mid, start, end, who="supervisor")
    assert (refused.status_code, refused.get_json()["code"]) == (403, "committee_only")


def test_two_committee_members_removing_each_other_at_once_leave_one(app, committed_db):
    world = build_world("aa")
    db.session.commit()
    first = membership_id(world, "committee", "committee")
    second = membership_id(world, "committee_2", "committee")

    def remove(who, mid):
        headers = world.headers(who)
        return lambda: app.test_client().post(
            f"/api/v1/compounds/aa/memberships/{mid}/revoke",
            json={"reason": "意见不合"},
            headers=headers,
        )

    responses, errors = together(app, [remove("committee", second), remove("committee_2", first)])
    assert errors == []
    assert sorted(r.status_code for r in responses)[0] == 200
    # The loser is refused: either the count saw one member left, or they were
    # already removed and no longer belong to the compound.
    loser = next(r for r in responses if r.status_code != 200)
    assert (loser.status_code, loser.get_json()["code"]) in {
        (409, "last_committee"),
        (404, "compound_not_found"),
    }
    left = db.session.scalars(
        select(Membership.id).where(
            Membership.compound_id == world.compound.id, Membership.role == "committee"
        )
    ).all()
    assert len(left) == 1


def test_a_committee_member_may_step_down_while_others_stay(client, world):
    mine = membership_id(world, "committee", "committee")
    response = revoke(client, world, mine, who="committee", reason="身体原因辞任")
    assert response.status_code == 200
    assert db.session.get(Membership, mine) is None


def test_revoking_a_committee_member_or_building_lead_hands_back_the_issues_they_took(
    client, world, cli
):
    took = make_issue(*world.reporter())  # 1-1-101
    acted(client, world, took.id, "committee_2", "accept")
    led = make_issue(*world.reporter("resident_1_2", "1-2-101"))
    acted(client, world, led.id, "lead_1", "accept")
    kept = make_issue(*world.reporter("resident_1_2", "1-2-101"))
    acted(client, world, kept.id, "liaison_1_2", "accept")
    # A liaison of 1-2 who is also the building lead keeps 1-2's issues when the lead
    # role goes: they still handle the unit.
    roles.grant(world.user_ids["liaison_1_2"], "building_lead", world.units[0].building)
    db.session.flush()

    mid = membership_id(world, "committee_2", "committee")
    assert revoke(client, world, mid, reason="换届").status_code == 200
    result = cli.invoke(
        args=[
            *("revoke-role", world.openid("lead_1"), "building_lead"),
            *("--compound", "aa", "--building", "1"),
        ]
    )
    assert result.exit_code == 0, result.output
    result = cli.invoke(
        args=[
            *("revoke-role", world.openid("liaison_1_2"), "building_lead"),
            *("--compound", "aa", "--building", "1"),
        ]
    )
    assert result.exit_code == 0, result.output

    db.session.expire_all()
    assert db.session.get(Issue, took.id).handler_id is None  # the unit's liaisons hear
    assert db.session.get(Issue, led.id).handler_id is None
    assert db.session.get(Issue, kept.id).handler_id == world.user_ids["liaison_1_2"]
    shown = client.get(f"/api/v1/issues/{took.id}", headers=world.fresh_headers("liaison_1_1"))
    assert shown.status_code == 200
