"""Collection month by month (services/money/collection_stats.py): the figures
`collection.summary` gives for each month, counted by the database, for one compound."""

from __future__ import annotations

import pytest

from server.errors import Forbidden, NotFound, ValidationFailed
from server.services.money import collection, collection_stats
from server.services.people.access import load_principal
from tests.factories import build_world, make_bill, self_governance_fee
from tests.timing import month

FIGURES = ("households_billed", "households_paid", "billed_fen", "collected_fen")


@pytest.fixture
def world(db_session):
    world = build_world("cs")
    yearly = self_governance_fee(world.compound, cycle="yearly")
    yearly.code = "yearly_fee"
    # This month: 101 paid, 102 paid one bill of two, 201 unpaid; a cancelled bill
    # counts for nobody.
    make_bill(world, "1-1-101", status="paid", amount_fen=1000)
    make_bill(world, "1-1-102", status="paid", amount_fen=1000)
    make_bill(world, "1-1-102", status="unpaid", amount_fen=500, item=yearly, period="2000")
    make_bill(world, "1-1-102", month(0)[:4], status="unpaid", amount_fen=700, item=yearly)
    make_bill(world, "1-1-201", status="unpaid", amount_fen=1000)
    make_bill(world, "1-2-101", status="cancelled", amount_fen=9999)
    # Last month: one household, paid.
    make_bill(world, "1-2-102", month(-1), status="paid", amount_fen=2533)
    other = build_world("cs-other")
    make_bill(other, "1-1-101", status="unpaid", amount_fen=4444)
    return world


def who(world, key):
    return load_principal(world.people[key].id)


def test_each_month_counts_what_the_summary_counts(world):
    months = [month(-13), month(-1), month(0)]
    found = collection_stats.monthly(who(world, "committee"), "cs", months)
    assert [m["period"] for m in found] == months
    assert [found[0][f] for f in FIGURES] == [0, 0, 0, 0]
    # 102 still owes this year's yearly bill: 1000 + 1000 + 700 + 1000 billed.
    assert [found[2][f] for f in FIGURES] == [3, 1, 3700, 2000]
    # Last month (in this year or the one before) as the summary counts it.
    assert found[1]["households_paid"] == 1
    for figures in found:
        summary = collection.summary(who(world, "committee"), "cs", figures["period"])
        assert {f: summary[f] for f in FIGURES} == {f: figures[f] for f in FIGURES}


def test_who_reads_them(world):
    assert (
        collection_stats.monthly(who(world, "supervisor"), "cs", [month(0)])[0]["households_paid"]
        == 1
    )
    with pytest.raises(Forbidden):
        collection_stats.monthly(who(world, "liaison_1_1"), "cs", [month(0)])
    with pytest.raises(NotFound):
        collection_stats.monthly(who(world, "committee"), "cs-other", [month(0)])
    with pytest.raises(ValidationFailed):
        collection_stats.monthly(who(world, "committee"), "cs", ["2026-13"])
