"""Contracts of public income: the schedule of instalments, what is due and overdue,
ending one early; read by the committee and the supervisor only."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from server.services.income.schedule import add_months, due_dates
from tests.factories import build_world
from tests.steps import add_contract, added_contract, record_income, uploaded_id
from tests.timing import shanghai_date

TODAY = shanghai_date(0)


@pytest.fixture
def world(db_session, photo_storage):
    return build_world("aa")


def detail(client, world, contract_id, who="committee") -> dict:
    response = client.get(f"/api/v1/contracts/{contract_id}", headers=world.fresh_headers(who))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_monthly_over_a_year_makes_twelve_instalments(client, world):
    contract = added_contract(
        client,
        world,
        start_on=TODAY.isoformat(),
        end_on=add_months(TODAY, 12).isoformat(),
        price_fen=50000,
    )
    assert contract["instalment_count"] == 12
    days = [i["due_on"] for i in contract["instalments"]]
    assert days == [add_months(TODAY, k).isoformat() for k in range(12)]
    assert {i["amount_fen"] for i in contract["instalments"]} == {50000}
    assert {i["state"] for i in contract["instalments"]} == {"due"}
    assert contract["next_due"]["due_on"] == TODAY.isoformat()
    assert (contract["overdue"], contract["paid_count"]) == ([], 0)


@pytest.mark.parametrize(
    ("cycle", "months", "count"),
    [("quarterly", 12, 4), ("yearly", 36, 3), ("once", 60, 1), ("monthly", 1, 1)],
)
def test_quarterly_yearly_and_once(client, world, cycle, months, count):
    end = add_months(TODAY, months)
    contract = added_contract(
        client, world, cycle=cycle, start_on=TODAY.isoformat(), end_on=end.isoformat()
    )
    assert [i["due_on"] for i in contract["instalments"]] == [
        add_months(TODAY, k * {"quarterly": 3, "yearly": 12}.get(cycle, 1)).isoformat()
        for k in range(count)
    ]


def test_a_start_on_the_31st_falls_on_each_months_last_day(client, world):
    start = date(TODAY.year - 1, 1, 31)
    contract = added_contract(
        client, world, start_on=start.isoformat(), end_on=date(TODAY.year, 1, 31).isoformat()
    )
    days = [date.fromisoformat(i["due_on"]) for i in contract["instalments"]]
    assert len(days) == 12
    assert [d.month for d in days] == list(range(1, 13))
    feb = 29 if (start.year % 4 == 0 and start.year % 100 != 0) or start.year % 400 == 0 else 28
    assert [d.day for d in days] == [31, feb, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    # A year ago: every instalment has passed, none paid, all overdue.
    assert len(contract["overdue"]) == 12
    assert contract["overdue_fen"] == 12 * 50000


def test_schedules_count_from_the_start_not_from_the_previous_date():
    assert due_dates(date(2031, 1, 31), date(2031, 5, 1), "monthly") == [
        date(2031, 1, 31),
        date(2031, 2, 28),
        date(2031, 3, 31),
        date(2031, 4, 30),
    ]
    assert due_dates(date(2032, 2, 29), date(2034, 3, 1), "yearly") == [
        date(2032, 2, 29),
        date(2033, 2, 28),
        date(2034, 2, 28),
    ]
    assert due_dates(date(2031, 11, 30), date(2032, 6, 1), "quarterly") == [
        date(2031, 11, 30),
        date(2032, 2, 29),
        date(2032, 5, 30),
    ]


def test_dates_and_length_are_checked(client, world):
    same_day = add_contract(client, world, start_on=TODAY.isoformat(), end_on=TODAY.isoformat())
    assert (same_day.status_code, same_day.get_json()["code"]) == (400, "end_not_after_start")
    assert "晚于开始日期" in same_day.get_json()["message"]
    longest = add_contract(
        client,
        world,
        start_on=shanghai_date(-400).isoformat(),
        end_on=add_months(shanghai_date(-400), 120).isoformat(),
    )
    assert longest.status_code == 201, longest.get_json()
    longer = add_contract(
        client,
        world,
        start_on=shanghai_date(-400).isoformat(),
        end_on=(add_months(shanghai_date(-400), 120) + timedelta(days=1)).isoformat(),
    )
    assert (longer.status_code, longer.get_json()["code"]) == (400, "contract_too_long")
    assert longer.get_json()["message"] == "合同期限最长 10 年"
    free = add_contract(client, world, price_fen=0)
    assert free.status_code == 400


def test_an_asset_of_another_compound_is_not_found(client, world):
    other = build_world("bb")
    theirs = client.post(
        "/api/v1/compounds/bb/assets",
        json={"kind": "parking", "name": "车位 1"},
        headers=other.headers("committee"),
    ).get_json()
    refused = add_contract(client, world, asset_id=theirs["id"])
    assert (refused.status_code, refused.get_json()["code"]) == (404, "asset_not_found")


def test_the_contract_names_its_asset_and_keeps_its_scan_for_the_committee(client, world):
    asset = client.post(
        "/api/v1/compounds/aa/assets",
        json={"kind": "ad_space", "name": "东门广告牌"},
        headers=world.headers("committee"),
    ).get_json()
    scan = uploaded_id(client, world, "committee")
    contract = added_contract(client, world, asset_id=asset["id"], scan=[scan])
    assert (contract["asset_name"], contract["scan"]) == ("东门广告牌", [scan])
    for who, status in (("supervisor", 200), ("committee_2", 200), ("resident_1_1", 404)):
        shown = client.get(f"/api/v1/uploads/{scan}", headers=world.headers(who))
        assert shown.status_code == status, who


@pytest.mark.parametrize("who", ["resident_1_1", "liaison_1_1", "lead_1"])
def test_residents_and_volunteers_cannot_read_contracts(client, world, who):
    contract = added_contract(client, world)
    for url in ("/api/v1/compounds/aa/contracts", f"/api/v1/contracts/{contract['id']}"):
        refused = client.get(url, headers=world.headers(who))
        assert (refused.status_code, refused.get_json()["code"]) == (403, "committee_only")
    assert add_contract(client, world, who).status_code == 403


def test_the_supervisor_reads_the_list_with_next_due_and_overdue(client, world):
    added_contract(
        client,
        world,
        counterparty="便民超市",
        cycle="quarterly",
        start_on=shanghai_date(-100).isoformat(),
        end_on=shanghai_date(265).isoformat(),
    )
    (item,) = client.get(
        "/api/v1/compounds/aa/contracts", headers=world.headers("supervisor")
    ).get_json()["items"]
    assert item["counterparty"] == "便民超市"
    assert [i["due_on"] for i in item["overdue"]] == [
        shanghai_date(-100).isoformat(),
        add_months(shanghai_date(-100), 3).isoformat(),
    ]
    assert item["next_due"]["due_on"] == add_months(shanghai_date(-100), 6).isoformat()
    assert "instalments" not in item


def test_another_compound_cannot_read_or_end_it(client, world):
    other = build_world("bb")
    contract = added_contract(client, world)
    for who in ("committee", "supervisor"):
        shown = client.get(f"/api/v1/contracts/{contract['id']}", headers=other.headers(who))
        assert (shown.status_code, shown.get_json()["code"]) == (404, "contract_not_found")
        ended = client.post(
            f"/api/v1/contracts/{contract['id']}/end",
            json={"reason": "对方违约"},
            headers=other.headers(who),
        )
        assert ended.status_code == 404
        listing = client.get("/api/v1/compounds/aa/contracts", headers=other.headers(who))
        assert listing.status_code == 404
    assert detail(client, world, contract["id"])["ended"] is False


def test_ending_early_drops_the_future_unpaid_instalments_and_says_why(client, world):
    contract = added_contract(
        client,
        world,
        start_on=shanghai_date(-45).isoformat(),
        end_on=add_months(shanghai_date(-45), 12).isoformat(),
        note="每月 1 日前付款",
    )
    # One instalment ahead is already paid in advance (recorded, waiting).
    ahead = next(i for i in contract["instalments"] if i["state"] == "due")
    recorded = record_income(
        client, world, kind="advertising", contract_id=contract["id"], instalment_id=ahead["id"]
    )
    assert recorded.status_code == 201, recorded.get_json()
    url = f"/api/v1/contracts/{contract['id']}/end"
    refused = client.post(url, json={"reason": "对方停业"}, headers=world.headers("supervisor"))
    assert refused.status_code == 403
    ended = client.post(url, json={"reason": "对方停业"}, headers=world.headers("committee"))
    assert ended.status_code == 200, ended.get_json()
    body = ended.get_json()
    kept = [i["due_on"] for i in body["instalments"]]
    past = [i["due_on"] for i in contract["instalments"] if i["due_on"] <= TODAY.isoformat()]
    assert kept == sorted([*past, ahead["due_on"]])
    assert body["ended"] is True
    assert body["note"].startswith("每月 1 日前付款\n")
    dropped = len(contract["instalments"]) - len(kept)
    assert f"提前终止合同：对方停业。取消未到期的应收 {dropped} 期。" in body["note"]
    again = client.post(url, json={"reason": "再次"}, headers=world.headers("committee"))
    assert (again.status_code, again.get_json()["code"]) == (409, "contract_ended")
