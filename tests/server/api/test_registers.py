"""Registers (台账) exported to Excel, and the month's figures."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from freezegun import freeze_time
from openpyxl import load_workbook
from sqlalchemy import insert

from server.clock import SHANGHAI, utcnow
from server.extensions import db
from server.models.issue import Issue
from server.services.issues.registers import STREAM_BATCH
from tests.factories import build_world, make_issue
from tests.steps import acted, reported_id
from tests.timing import month, shanghai_date, shanghai_day, shanghai_month_start


def H(hours: int) -> timedelta:
    return timedelta(hours=hours)


@pytest.fixture
def world(db_session):
    return build_world("aa")


def sheet_rows(response):
    """The header and the issues' rows (the totals row checked and left off)."""
    workbook = load_workbook(io.BytesIO(response.data))
    *rows, total = [list(row) for row in workbook.active.iter_rows(values_only=True)]
    assert total[0] == f"合计（{len(rows) - 1} 件）"
    return rows


def test_the_register_reads_as_a_sheet_of_real_values(client, world):
    with freeze_time(shanghai_day(-3, "09:05")):
        first = reported_id(client, world, title="+86 楼道灯不亮")
    with freeze_time(shanghai_day(-2, "10:00")):
        acted(client, world, first, "liaison_1_1", "accept")
        refer = {"referral_body": "-供电局", "follow_up_on": shanghai_date(5).isoformat()}
        acted(client, world, first, "liaison_1_1", "refer", **refer)
    headers = world.headers("committee")
    response = client.get("/api/v1/issues/register.xlsx?compound=aa", headers=headers)
    sheet = load_workbook(io.BytesIO(response.data)).active
    header, row, total = sheet.iter_rows(min_row=1, max_row=3)
    values = {h.value: cell for h, cell in zip(header, row, strict=True)}
    assert (values["编号"].value, values["编号"].number_format) == (first, "0")
    assert values["标题"].value == "'+86 楼道灯不亮"  # text, never a formula
    assert values["承办单位"].value == "'-供电局"
    reported = values["报事时间"]
    assert reported.value == shanghai_day(-3, "09:05").astimezone(SHANGHAI).replace(tzinfo=None)
    assert reported.number_format == "yyyy-mm-dd hh:mm"
    assert values["是否超时"].value == "否"  # not a blank
    assert values["完成时间"].value is None
    assert [cell.value for cell in total if cell.value] == ["合计（1 件）", "超时 0 件"]
    assert total[0].font.b
    assert sheet.column_dimensions["C"].width == 30
    assert sheet.freeze_panes == "A2"


def test_the_committee_exports_the_register_without_names(client, world):
    reported_id(client, world, category="hazard", title='=HYPERLINK("http://x")')
    reported_id(client, world, title="楼道灯不亮")
    response = client.get(
        "/api/v1/issues/register.xlsx?compound=aa&category=hazard",
        headers=world.headers("committee"),
    )
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    rows = sheet_rows(response)
    assert rows[0][:5] == ["编号", "类别", "标题", "位置", "状态"]
    assert len(rows) == 2
    assert rows[1][1:5] == ["安全隐患", '\'=HYPERLINK("http://x")', "1-1-101", "待受理"]
    names = {world.people[key].nickname for key in world.people}
    assert not names & {cell for row in rows for cell in row if isinstance(cell, str)}


def test_a_liaison_exports_only_their_units(client, world):
    reported_id(client, world)
    reported_id(client, world, who="resident_1_2", household_id=world.household("1-2-101").id)
    rows = sheet_rows(
        client.get("/api/v1/issues/register.xlsx?compound=aa", headers=world.headers("liaison_1_2"))
    )
    assert [row[3] for row in rows[1:]] == ["1-2-101"]


def test_residents_and_strangers_get_no_register(client, world):
    forbidden = client.get(
        "/api/v1/issues/register.xlsx?compound=aa", headers=world.headers("resident_1_1")
    )
    assert forbidden.status_code == 403
    build_world("bb")
    other = client.get(
        "/api/v1/issues/register.xlsx?compound=bb", headers=world.headers("committee")
    )
    assert other.status_code == 404


def test_the_months_figures(client, world):
    start = shanghai_month_start(2)  # 00:00 on the 1st in Shanghai, a month ahead
    with freeze_time(start - H(6)):  # reported the month before, resolved in this one
        late = reported_id(client, world)
        acted(client, world, late, "liaison_1_1", "accept")
    with freeze_time(start + H(8)):  # 08:00 on the 1st in Shanghai
        first = reported_id(client, world)
        second = reported_id(
            client,
            world,
            who="resident_1_2",
            category="hazard",
            household_id=world.household("1-2-101").id,
        )
    with freeze_time(start + H(10)):
        acted(client, world, first, "liaison_1_1", "accept")
        acted(client, world, late, "liaison_1_1", "resolve", note="好了")
    with freeze_time(start + H(12)):
        acted(client, world, second, "liaison_1_2", "accept")
    with freeze_time(start + H(24 + 10)):
        acted(client, world, first, "liaison_1_1", "resolve", note="已修好")
        acted(client, world, first, "resident_1_1", "confirm", rating=4)
        acted(client, world, late, "resident_1_1", "confirm", rating=5)
    with freeze_time(start + H(48 + 8)):
        response = client.get(
            f"/api/v1/issues/stats?compound=aa&month={month(2)}",
            headers=world.fresh_headers("supervisor"),
        )
    assert response.status_code == 200
    stats = response.get_json()
    assert (stats["reported"], stats["resolved"], stats["closed"]) == (2, 2, 2)
    assert stats["median_hours_to_accept"] == 3.0  # 2 h and 4 h
    assert stats["satisfaction"] == 4.5
    by_category = {row["category"]: row for row in stats["by_category"]}
    assert by_category["hazard"]["reported"] == 1
    assert by_category["repair"]["reported"] == 1
    assert by_category["repair"]["resolved"] == 2
    assert [row["building"] for row in stats["by_building"]] == [1]


@pytest.mark.parametrize(
    ("who", "status"), [("liaison_1_1", 403), ("resident_1_1", 403), ("committee", 200)]
)
def test_who_reads_the_figures(client, world, who, status):
    response = client.get(
        f"/api/v1/issues/stats?compound=aa&month={month(0)}", headers=world.headers(who)
    )
    assert response.status_code == status


def test_a_bad_month_is_a_400(client, world):
    response = client.get(
        "/api/v1/issues/stats?compound=aa&month=2026-13", headers=world.headers("committee")
    )
    assert response.status_code == 400


def test_a_closed_months_figures_do_not_change_when_an_issue_is_reopened(client, world):
    start, closed_month = shanghai_month_start(1), month(1)
    with freeze_time(start + H(9 * 24 + 10)):
        issue_id = reported_id(client, world)
        acted(client, world, issue_id, "liaison_1_1", "accept")
        acted(client, world, issue_id, "liaison_1_1", "resolve", note="已修好")
    with freeze_time(start + H(11 * 24 + 10)):
        headers = world.fresh_headers("committee")
        before = client.get(
            f"/api/v1/issues/stats?compound=aa&month={closed_month}", headers=headers
        )
    with freeze_time(start + H(14 * 24 + 10)):
        acted(client, world, issue_id, "resident_1_1", "reopen", note="又坏了")
    with freeze_time(shanghai_month_start(2) + H(24 + 10)):  # the next month
        headers = world.fresh_headers("committee")
        after = client.get(
            f"/api/v1/issues/stats?compound=aa&month={closed_month}", headers=headers
        )
    keep = ("reported", "resolved", "median_hours_to_accept", "median_hours_to_resolve")
    assert {k: after.get_json()[k] for k in keep} == {k: before.get_json()[k] for k in keep}
    assert before.get_json()["resolved"] == 1


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "2026-00"])
def test_months_out_of_range_are_a_400(client, world, month):
    response = client.get(
        f"/api/v1/issues/stats?compound=aa&month={month}", headers=world.headers("committee")
    )
    assert response.status_code == 400


def test_the_register_filters_by_dates_and_sorts(client, world):
    start, reported_month = shanghai_month_start(1), month(1)
    with freeze_time(start + H(4 * 24 + 10)):  # the 5th, 10:00 in Shanghai
        early = reported_id(client, world, title="早")
    with freeze_time(start + H(19 * 24 + 10)):  # the 20th
        late = reported_id(client, world, title="晚", category="hazard")
    headers = world.fresh_headers("committee")
    newest_first = sheet_rows(
        client.get("/api/v1/issues/register.xlsx?compound=aa&sort=reported_desc", headers=headers)
    )
    assert [row[0] for row in newest_first[1:]] == [late, early]
    november_first_half = sheet_rows(
        client.get(
            "/api/v1/issues/register.xlsx?compound=aa"
            f"&reported_from={reported_month}-01&reported_to={reported_month}-15",
            headers=headers,
        )
    )
    assert [row[0] for row in november_first_half[1:]] == [early]
    bad = client.get("/api/v1/issues/register.xlsx?compound=aa&sort=random", headers=headers)
    assert bad.status_code == 400


def test_a_register_longer_than_a_fetch_comes_whole_and_counts_its_overdue(client, world):
    """The rows stream from the database in batches: every batch arrives, in order, and
    the totals row counts them all."""
    first = make_issue(*world.reporter(), title="第0件")
    columns = [c.key for c in Issue.__table__.columns if c.key != "id"]
    like_first = {key: getattr(first, key) for key in columns}
    late = utcnow() - H(1)
    copies = 2 * STREAM_BATCH + 7
    db.session.execute(
        insert(Issue),
        [
            {**like_first, "title": f"第{i}件", **({"response_due_at": late} if i % 3 else {})}
            for i in range(1, copies + 1)
        ],
    )
    db.session.flush()
    response = client.get(
        "/api/v1/issues/register.xlsx?compound=aa", headers=world.headers("committee")
    )
    workbook = load_workbook(io.BytesIO(response.data))
    *rows, total = [list(row) for row in workbook.active.iter_rows(values_only=True)]
    assert [row[2] for row in rows[1:]] == [f"第{i}件" for i in range(copies + 1)]
    ids = [row[0] for row in rows[1:]]
    assert ids == sorted(ids)
    overdue = sum(1 for i in range(1, copies + 1) if i % 3)
    assert sum(row[-1] == "是" for row in rows[1:]) == overdue
    assert [cell for cell in total if cell] == [f"合计（{copies + 1} 件）", f"超时 {overdue} 件"]
