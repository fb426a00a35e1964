"""Reads the desk's register adds to the issue lists: reported days as Shanghai's days,
the handlers' names in one statement, the compound's buildings for its volunteers."""

from __future__ import annotations

import time_machine

from server.services.issues import flow, views
from server.services.people.access import load_principal
from tests.factories import build_world, make_issue
from tests.timing import shanghai_date, shanghai_day


def _at(world, days: int, clock: str) -> int:
    with time_machine.travel(shanghai_day(days, clock), tick=False):
        return make_issue(*world.reporter()).id


def _listed(world, who="committee", **filters) -> list[int]:
    rows, _ = views.list_issues(
        load_principal(world.user_ids[who]), views.Filters(compound=world.compound.code, **filters)
    )
    return [row.issue.id for row in rows]


def test_reported_days_are_shanghais_days(db_session):
    world = build_world("days")
    late = _at(world, -3, "23:30")  # 15:30 UTC: still that day in Shanghai
    early = _at(world, -2, "00:30")  # 16:30 UTC the day before, the next day in Shanghai
    day = shanghai_date(-3)
    assert _listed(world, reported_from=day, reported_to=day) == [late]
    assert _listed(world, reported_from=shanghai_date(-2)) == [early]
    assert _listed(world, reported_to=shanghai_date(-4)) == []
    # Still only what the caller may see: a resident sees their own household's.
    assert _listed(world, "resident_1_2", reported_from=day) == []


def test_handler_names_and_buildings(db_session):
    world = build_world("names")
    first = make_issue(*world.reporter())
    make_issue(*world.reporter())
    flow.transition(load_principal(world.user_ids["liaison_1_1"]), first.id, flow.Action("accept"))
    rows, _ = views.list_issues(load_principal(world.user_ids["committee"]), views.Filters())
    assert views.handler_names(rows) == {
        world.user_ids["liaison_1_1"]: world.people["liaison_1_1"].nickname
    }
    building = world.units[0].building_id
    committee = load_principal(world.user_ids["committee"])
    assert views.buildings(committee, world.compound.id) == [(building, 1)]
    for who in ("resident_1_1", "outsider"):
        assert views.buildings(load_principal(world.user_ids[who]), world.compound.id) == []
    other = build_world("names2")
    assert views.buildings(committee, other.compound.id) == []
