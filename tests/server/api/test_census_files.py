"""The census as files: the committee's template and import (a dry run changes
nothing, a real run writes all or nothing), and the export, masked unless sensitive
data are asked for, logged either way."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from server.extensions import db
from server.models import AccessLog, HouseholdMember
from server.services.census import crypto
from tests.factories import build_world

CODE = "cf"
HEADER = "楼号,单元,房号,姓名,关系,年龄段,电话,使用微信\n"


@pytest.fixture
def world(db_session):
    return build_world(CODE)


def upload(client, world, text: str, dry_run: bool, who="committee", name="census.csv"):
    data = {"file": (io.BytesIO(text.encode("utf-8-sig")), name)}
    return client.post(
        f"/api/v1/compounds/{CODE}/census/import?dry_run={'true' if dry_run else 'false'}",
        data=data,
        content_type="multipart/form-data",
        headers=world.headers(who),
    )


def members() -> list[HouseholdMember]:
    return list(db.session.scalars(select(HouseholdMember).order_by(HouseholdMember.id)))


def sheet(response) -> list[list]:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    book = load_workbook(io.BytesIO(response.data))
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def export(client, world, who="committee", query=""):
    return client.get(f"/api/v1/compounds/{CODE}/census/export{query}", headers=world.headers(who))


GOOD = HEADER + "1,1,101,王秀兰,业主,70–79岁,13800001234,否\n1号楼,2单元,102室,李强,租户,,,是\n"


def test_a_dry_run_reports_and_changes_nothing(client, world):
    response = upload(client, world, GOOD, dry_run=True)
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {
        "dry_run": True,
        "rows": 2,
        "added": 2,
        "updated": 0,
        "errors": [],
    }
    assert members() == []


def test_a_real_run_adds_then_updates_by_name(client, world):
    first = upload(client, world, GOOD, dry_run=False)
    assert first.status_code == 200, first.get_json()
    wang, li = members()
    assert (wang.name, wang.relation, wang.age_band, wang.source) == (
        "王秀兰",
        "owner",
        "70_79",
        "import",
    )
    assert crypto.decrypt(wang.phone_cipher) == "13800001234"
    assert wang.household_id == world.household_ids["1-1-101"]
    assert (li.household_id, li.uses_wechat, li.phone_cipher) == (
        world.household_ids["1-2-102"],
        True,
        None,
    )
    again = HEADER + "1,1,101,王秀兰,业主,80岁及以上,,是\n1,1,101,王小明,儿子,18–59岁,,否\n"
    second = upload(client, world, again, dry_run=False).get_json()
    assert (second["added"], second["updated"]) == (1, 1)
    wang = db.session.get(HouseholdMember, wang.id)
    assert wang.age_band == "80_plus"
    assert crypto.decrypt(wang.phone_cipher) == "13800001234"  # a blank cell keeps it
    assert len(members()) == 3
    assert members()[-1].relation == "family"


def test_rows_with_problems_are_reported_and_nothing_is_written(client, world):
    text = (
        HEADER
        + "1,1,101,王秀兰,业主,70–79岁,12345,否\n"
        + "1,9,101,张三,业主,,,\n"
        + "1,1,102,,业主,,,\n"
        + "1,1,102,李四,朋友,,,\n"
        + "1,1,201,赵六,家属,,,\n"
    )
    checked = upload(client, world, text, dry_run=True).get_json()
    assert [e["row"] for e in checked["errors"]] == [2, 3, 4, 5]
    assert "电话" in checked["errors"][0]["message"]
    assert "1-9-101" in checked["errors"][1]["message"]
    refused = upload(client, world, text, dry_run=False)
    assert refused.status_code == 400
    body = refused.get_json()
    assert body["code"] == "census_invalid"
    assert len(body["report"]["errors"]) == 4
    assert members() == []


@pytest.mark.parametrize(
    "text", ["姓名,电话\n王,1\n", "", "\x00\x01binary"], ids=["headers", "empty", "binary"]
)
def test_a_file_that_is_not_a_census_is_refused(client, world, text):
    response = upload(client, world, text, dry_run=True)
    assert response.status_code == 400
    assert response.get_json()["code"] == "bad_census_file"


@pytest.mark.parametrize("who", ["liaison_1_1", "lead_1", "resident_1_1", "supervisor"])
def test_only_the_committee_imports_and_gets_the_template(client, world, who):
    assert upload(client, world, GOOD, dry_run=True, who=who).status_code == 403
    template = client.get(f"/api/v1/compounds/{CODE}/census/template", headers=world.headers(who))
    assert (template.status_code, template.get_json()["code"]) == (403, "committee_only")


def test_the_template_has_the_import_headers(client, world):
    response = client.get(
        f"/api/v1/compounds/{CODE}/census/template", headers=world.headers("committee")
    )
    rows = sheet(response)
    assert rows[0] == ["楼号", "单元", "房号", "姓名", "关系", "年龄段", "电话", "使用微信"]
    # The template itself imports (empty: "no people" is the only complaint).
    blank = upload(client, world, ",".join(rows[0]) + "\n", dry_run=True)
    assert blank.get_json()["code"] == "bad_census_file"


def test_the_export_is_masked_by_default_and_logged(client, world):
    upload(client, world, GOOD, dry_run=False)
    client.put(
        f"/api/v1/households/{world.household_ids['1-1-101']}/tags",
        json={"tags": ["elderly_alone"]},
        headers=world.headers("liaison_1_1"),
    )
    rows = sheet(export(client, world))
    assert rows[0][-1] != "关爱标记"
    flat = next(r for r in rows if r[3] == "王秀兰")
    assert flat[6] == "138****1234"
    assert not any("独居" in str(cell) for row in rows for cell in row)
    assert len(rows) == 1 + 6  # one row per flat (nobody registered in four of them)
    logs = list(db.session.scalars(select(AccessLog).where(AccessLog.action == "export_census")))
    assert len(logs) == 6
    assert {log.reason for log in logs} == {"已遮蔽"}


def test_the_sensitive_export_shows_phones_and_tags_and_says_why(client, world):
    upload(client, world, GOOD, dry_run=False)
    client.put(
        f"/api/v1/households/{world.household_ids['1-1-101']}/tags",
        json={"tags": ["elderly_alone"]},
        headers=world.headers("liaison_1_1"),
    )
    rows = sheet(export(client, world, query="?include_sensitive=1&reason=民政核对"))
    assert rows[0][-1] == "关爱标记"
    flat = next(r for r in rows if r[3] == "王秀兰")
    assert (flat[6], flat[-1]) == ("13800001234", "独居老人")
    logs = list(db.session.scalars(select(AccessLog).where(AccessLog.action == "export_census")))
    assert {log.reason for log in logs} == {"含敏感信息：民政核对"}
    assert {log.household_id for log in logs} == set(world.household_ids.values())


def test_a_liaison_exports_their_units_only(client, world):
    upload(client, world, GOOD, dry_run=False)
    rows = sheet(export(client, world, who="liaison_1_1", query="?include_sensitive=1"))
    assert {(r[0], r[1]) for r in rows[1:]} == {(1, 1)}
    # The lead's sensitive export keeps phones masked: only tags are theirs.
    lead = sheet(export(client, world, who="lead_1", query="?include_sensitive=1"))
    assert next(r for r in lead if r[3] == "王秀兰")[6] == "138****1234"
