"""The roster's optional column 产权人编号 (owner number): flats with the same number
belong to one owner (one head in owners' decisions). It is read trimmed and half-width,
at most 32 characters; a change on re-import applies at once (it is not money) and the
import's summary names it; a file without the column keeps the numbers."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from server.extensions import db
from server.models import Approval, AuditEvent, Compound, Household, RosterImport
from tests.factories import build_world
from tests.helpers import multipart

HEADERS = ["楼栋", "单元", "房号", "建筑面积(m²)", "产权人编号"]
# The compound's six flats as they are, without owner numbers.
SAME = {
    (unit, room): ("1", unit, room, "72.36", "") for unit in "12" for room in ("101", "102", "201")
}


@pytest.fixture
def world(db_session):
    return build_world("aa")


def roster(keys: dict[str, str] | None = None, headers=HEADERS, extra=()) -> bytes:
    """The six flats as a CSV, with 产权人编号 per label ("1-1-101": "A01")."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for (unit, room), row in SAME.items():
        key = (keys or {}).get(f"1-{unit}-{room}", "")
        writer.writerow((*row[:4], key)[: len(headers)])
    writer.writerows(extra)
    return out.getvalue().encode()


def load(client, world, data, dry_run=False):
    return client.post(
        f"/api/v1/compounds/aa/roster?dry_run={'true' if dry_run else 'false'}",
        headers=world.fresh_headers("committee"),
        **multipart(data, "名册.csv", "text/csv"),
    )


def keys() -> dict[str, str | None]:
    rows = db.session.scalars(
        select(Household)
        .join(Compound, Compound.id == Household.compound_id)
        .where(Compound.code == "aa")
        .execution_options(populate_existing=True)
    )
    return {h.label: h.owner_key for h in rows if h.owner_key}


def test_owner_numbers_are_read_trimmed_and_half_width_and_change_at_once(client, world):
    # The same owner written with full-width letters is the same owner.
    first = roster({"1-1-101": " A01 ", "1-2-101": "Ａ０１", "1-1-102": "王家-2"})
    checked = load(client, world, first, dry_run=True)
    assert checked.status_code == 200, checked.get_json()
    report = checked.get_json()
    assert report["households"] == {"create": 0, "update": 3, "unchanged": 3}
    assert [(c["label"], c["old_owner_key"], c["new_owner_key"]) for c in report["changes"]] == [
        ("1-1-101", None, "A01"),
        ("1-1-102", None, "王家-2"),
        ("1-2-101", None, "A01"),
    ]
    assert not any(c["needs_confirmation"] for c in report["changes"])
    assert keys() == {}  # a dry run changes nothing

    loaded = load(client, world, first)
    assert loaded.status_code == 200, loaded.get_json()
    assert loaded.get_json()["approval_id"] is None  # not money: no second member
    assert keys() == {"1-1-101": "A01", "1-1-102": "王家-2", "1-2-101": "A01"}
    imported = db.session.get(RosterImport, loaded.get_json()["import_id"])
    assert imported.counts["owner_key_changes"] == 3
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "roster_imported")
    ).one()
    assert "产权人编号变更 3 户（1-1-101、1-1-102、1-2-101）" in event.summary
    assert db.session.scalars(select(Approval)).all() == []

    # Re-import: one number changed, one cleared (a blank cell in the column), one kept.
    again = load(client, world, roster({"1-1-101": "A01", "1-2-101": "B07"}))
    assert again.status_code == 200, again.get_json()
    assert again.get_json()["households"] == {"create": 0, "update": 2, "unchanged": 4}
    assert keys() == {"1-1-101": "A01", "1-2-101": "B07"}
    latest = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "roster_imported")
        .order_by(AuditEvent.id.desc())
    ).first()
    assert "产权人编号变更 2 户（1-1-102、1-2-101）" in latest.summary

    # A file without the column leaves the numbers as they are.
    without = load(client, world, roster(headers=HEADERS[:4]))
    assert without.get_json()["households"] == {"create": 0, "update": 0, "unchanged": 6}
    assert keys() == {"1-1-101": "A01", "1-2-101": "B07"}


def test_a_number_longer_than_32_characters_refuses_the_whole_file(client, world):
    long = "A" * 33
    data = roster({"1-1-101": "B01", "1-1-102": long}, extra=[("1", "3", "101", "60", "B01")])
    checked = load(client, world, data, dry_run=True).get_json()
    assert checked["problems"] == [
        {"row": 3, "column": "产权人编号", "message": f"产权人编号最多 32 个字，这里是“{long}”"}
    ]
    refused = load(client, world, data)
    assert (refused.status_code, refused.get_json()["code"]) == (400, "roster_invalid")
    assert keys() == {}  # all or nothing: 1-1-101's number did not change either
    assert "1-3-101" not in {h.label for h in db.session.scalars(select(Household))}

    exactly = load(client, world, roster({"1-1-102": "A" * 32}))
    assert exactly.status_code == 200, exactly.get_json()
    assert keys() == {"1-1-102": "A" * 32}


def test_new_flats_get_their_number_and_an_area_change_still_waits(client, world):
    changed = roster(
        {"1-1-101": "C3", "1-1-201": "C3"},
        extra=[("1", "3", "101", "60", "C3")],
    ).replace(b"1,1,201,72.36", b"1,1,201,80.00")
    response = load(client, world, changed)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["households"] == {"create": 1, "update": 2, "unchanged": 4}
    assert body["approval_id"] is not None  # the area waits for a second member ...
    assert keys() == {"1-1-101": "C3", "1-1-201": "C3", "1-3-101": "C3"}  # ... the number not
    approval = db.session.get(Approval, body["approval_id"])
    assert [h["label"] for h in approval.details["households"]] == ["1-1-201"]


def test_the_template_carries_the_numbers_and_explains_the_column(client, world):
    load(client, world, roster({"1-2-102": "D9"}))
    response = client.get(
        "/api/v1/compounds/aa/roster/template.xlsx", headers=world.headers("committee")
    )
    assert response.status_code == 200
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(response.data))
    rows = [list(r) for r in book["房屋名册"].iter_rows(values_only=True)]
    assert rows[0][-1] == "产权人编号"
    assert {(r[1], r[2]): r[-1] for r in rows[1:]}[(2, "102")] == "D9"
    explained = {r[0]: r[1] for r in book["说明"].iter_rows(min_row=2, values_only=True)}
    assert explained["产权人编号"].startswith(
        "同一产权人有多套房时填相同编号，表决时按一人计算；不知道可不填"
    )
    again = client.post(
        "/api/v1/compounds/aa/roster?dry_run=true",
        headers=world.headers("committee"),
        **multipart(response.data, "名册.xlsx", "application/octet-stream"),
    ).get_json()
    assert again["households"] == {"create": 0, "update": 0, "unchanged": 6}


def test_a_placeholder_is_no_number_and_does_not_join_flats_into_one_owner(client, world):
    """Rosters write "无", "-", "/" or "N/A" where the number is unknown: those flats are
    not one owner (one head for all of them would sink the heads quorum)."""
    placeholders = {
        "1-1-101": "无",
        "1-1-102": "-",
        "1-1-201": "／",
        "1-2-101": "N/A",
        "1-2-102": "——",
        "1-2-201": "E5",
    }
    response = load(client, world, roster(placeholders))
    assert response.status_code == 200, response.get_json()
    assert keys() == {"1-2-201": "E5"}
