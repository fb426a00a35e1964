"""How the committee's list filtered by compound and a month's figures reach the
database: on `issues.compound_id` through an index in the list's order, and bounded by
the month through indexes that start with the compound (a page costs a page, a month a
month, however big the district). The plans are the database's own (EXPLAIN)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from freezegun import freeze_time

from server.extensions import db
from tests.factories import build_world
from tests.helpers import statements
from tests.steps import acted, reported_id
from tests.timing import month, shanghai_month_start


@pytest.fixture
def world(db_session):
    return build_world("aa")


def the(seen, *fragments) -> tuple[str, object]:
    """The one statement holding every fragment."""
    found = [s for s in seen if all(f in " ".join(s[0].split()) for f in fragments)]
    assert len(found) == 1, [s for s, _ in seen]
    return found[0]


# "SEARCH issues USING INDEX ix_issues_compound_list (compound_id=?)"
SQLITE_STEP = re.compile(
    r"(?:SEARCH|SCAN) (?:TABLE )?(\w+)(?: USING (?:COVERING )?INDEX (\w+) ?\(?([^)]*))?"
)


def plan(statement: str, parameters) -> dict[str, dict]:
    """Per table: the index read, whether its range bounds a time column too, and
    whether the rows are sorted after reading (SQLite's EXPLAIN QUERY PLAN, MariaDB's
    EXPLAIN). A table read twice (a UNION, a derived table joined back by id) shows
    its read bounded by time, if one is."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        details = [
            row[3]
            for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
        ]
        tables = {}
        for detail in details:
            found = SQLITE_STEP.match(detail)
            if found:
                table, index, bounds = found.groups()
                bounded = bool(bounds and re.search(r"_at[<>]", bounds))
                if not tables.get(table, {}).get("bounded"):
                    tables[table] = {"index": index, "bounded": bounded, "sorted": False}
        if any("TEMP B-TREE FOR ORDER BY" in d for d in details):
            for entry in tables.values():
                entry["sorted"] = True
        return tables
    rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters).mappings().all()
    tables = {}
    for row in rows:
        if not tables.get(row["table"], {}).get("bounded"):
            tables[row["table"]] = {
                "index": row["key"],
                "bounded": row["type"] == "range",
                "sorted": "filesort" in (row["Extra"] or ""),
            }
    return tables


def many_issues(client, world, count: int) -> list[int]:
    return [reported_id(client, world, title=f"事项{i}") for i in range(count)]


def test_the_committee_list_by_compound_reads_issues_compound_id_in_order(client, world):
    other = build_world("bb")
    mine = many_issues(client, world, 30)
    theirs = many_issues(client, other, 10)
    headers = world.headers("committee")

    def page():
        response = client.get("/api/v1/issues?compound=aa&limit=5", headers=headers)
        assert response.status_code == 200
        return response.get_json()

    seen = statements(page)
    statement, parameters = the(seen, "FROM issues", "ORDER BY issues.id DESC")
    flat = " ".join(statement.split())
    assert "JOIN compounds" not in flat
    assert "issues.compound_id = " in flat
    listed = plan(statement, parameters)["issues"]
    assert listed["index"] == "ix_issues_compound_list"
    assert not listed["sorted"]

    body = page()
    assert [item["id"] for item in body["items"]] == sorted(mine, reverse=True)[:5]
    after = client.get(
        f"/api/v1/issues?compound=aa&limit=50&cursor={body['next_cursor']}", headers=headers
    ).get_json()
    assert [item["id"] for item in after["items"]] == sorted(mine, reverse=True)[5:]
    for code in ("bb", "zz"):  # another compound's code, and one that is nobody's
        response = client.get(f"/api/v1/issues?compound={code}", headers=headers)
        assert response.status_code == 200
        assert response.get_json()["items"] == []
    assert set(theirs).isdisjoint(item["id"] for item in after["items"] + body["items"])


def test_a_resident_filtering_by_compound_still_sees_only_their_own(client, world):
    own = reported_id(client, world)
    reported_id(client, world, who="resident_1_2", household_id=world.household("1-2-101").id)
    response = client.get("/api/v1/issues?compound=aa", headers=world.headers("resident_1_1"))
    assert [item["id"] for item in response.get_json()["items"]] == [own]


def test_a_month_s_figures_read_the_month_through_compound_and_time_indexes(client, world):
    start, after = shanghai_month_start(1), shanghai_month_start(2)  # the month: next one
    around = (shanghai_month_start(0) + timedelta(days=19, hours=10), after + timedelta(days=4))
    for moment in around:  # issues of the months before and after it
        with freeze_time(moment):
            for issue_id in many_issues(client, world, 8):
                acted(client, world, issue_id, "liaison_1_1", "accept")
    with freeze_time(start + timedelta(days=9, hours=10)):
        first = reported_id(client, world)
        second = reported_id(client, world, category="hazard")
    with freeze_time(start + timedelta(days=9, hours=13)):
        acted(client, world, first, "liaison_1_1", "accept")
        acted(client, world, first, "liaison_1_1", "resolve", note="已修好")
        acted(client, world, first, "resident_1_1", "confirm", rating=4)
    with freeze_time(after - timedelta(minutes=1)):  # 23:59 on its last day in Shanghai
        acted(client, world, second, "liaison_1_1", "accept")
    with freeze_time(after):  # 00:00 on the 1st of the next month in Shanghai
        reported_id(client, world)
    with freeze_time(after + timedelta(days=5, hours=8)):
        headers = world.fresh_headers("committee")

        def figures():
            response = client.get(
                f"/api/v1/issues/stats?compound=aa&month={month(1)}", headers=headers
            )
            assert response.status_code == 200
            return response.get_json()

        seen = statements(figures)
        stats = figures()

    assert (stats["reported"], stats["resolved"], stats["closed"]) == (2, 1, 1)
    waited = after - timedelta(minutes=1) - (start + timedelta(days=9, hours=10))
    assert stats["median_hours_to_accept"] == round((3 + waited.total_seconds() / 3600) / 2, 1)
    assert stats["satisfaction"] == 4.0
    events = "ix_issue_events_compound_created"
    for fragments, table, index in (
        (("FROM issues LEFT OUTER JOIN buildings",), "issues", "ix_issues_compound_created"),
        (("UNION ALL", "count(distinct(issue_events.issue_id))"), "issue_events", events),
        (("row_number() OVER",), "issue_events", events),
        (("FROM return_visits",), "return_visits", "ix_return_visits_compound_answered"),
    ):
        statement, parameters = the(seen, *fragments)
        read = plan(statement, parameters)[table]
        assert (read["index"], read["bounded"]) == (index, True), statement
