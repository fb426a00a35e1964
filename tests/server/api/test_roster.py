"""Loading a compound's roster of flats from a spreadsheet: the template, a dry run's
report, all-or-nothing loading, who may do it, and the files it refuses."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from server.clock import utcnow
from server.extensions import db
from server.models import AuditEvent, Building, Compound, Household, RosterImport, Unit
from tests.factories import CompoundFactory, add_person, build_world
from tests.helpers import multipart

HEADERS = ["楼栋", "单元", "房号", "建筑面积(m²)", "楼层", "状态", "备注", "产权人编号"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def world(db_session):
    world = build_world("aa")
    empty = CompoundFactory(code="new", name="新华里")
    add_person(world, "new_committee", "committee", empty)
    add_person(world, "admin", "admin", None)
    db.session.flush()
    return world


def xlsx_file(rows, headers=HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_file(rows, encoding="utf-8", headers=HEADERS) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def load(client, world, data, who="new_committee", code="new", dry_run=False, name="名册.xlsx"):
    kind = XLSX if name.endswith("xlsx") else "text/csv"
    return client.post(
        f"/api/v1/compounds/{code}/roster?dry_run={'true' if dry_run else 'false'}",
        headers=world.headers(who),
        **multipart(data, name, kind),
    )


def flats(code="new") -> dict[str, Household]:
    rows = db.session.scalars(
        select(Household)
        .join(Compound, Compound.id == Household.compound_id)
        .where(Compound.code == code)
        .execution_options(populate_existing=True)
    )
    return {h.label: h for h in rows}


def count(model, code="new") -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(model)
        .join(Compound, Compound.id == model.compound_id)
        .where(Compound.code == code)
    )


GOOD = [
    ("1号楼", "1单元", "101", 72.36, None, "自住", None),
    ("1号楼", "1单元", "201室", "88.5", None, None, None),
    ("二号楼", "2", "301", "65", "3", "出租", None),
    ("3栋", "一单元", "1201", "120.00", None, "空置", "房主在外地"),
]


def test_a_good_file_is_checked_then_loads_three_buildings(client, world):
    checked = load(client, world, xlsx_file(GOOD), dry_run=True)
    assert checked.status_code == 200, checked.get_json()
    report = checked.get_json()
    assert report["rows"] == 4
    assert (report["buildings"], report["units"]) == ({"create": 3}, {"create": 3})
    assert report["households"] == {"create": 4, "update": 0, "unchanged": 0}
    assert (report["problems"], report["missing"], report["applied"]) == ([], [], False)
    assert count(Household) == 0  # a dry run changes nothing

    loaded = load(client, world, xlsx_file(GOOD))
    assert loaded.status_code == 200, loaded.get_json()
    body = loaded.get_json()
    assert (body["applied"], body["approval_id"]) == (True, None)
    made = flats()
    assert sorted(made) == ["1-1-101", "1-1-201", "2-2-301", "3-1-1201"]
    top = made["3-1-1201"]
    assert (top.floor, str(top.area_m2), top.occupancy, top.tenure, top.note) == (
        12,
        "120.00",
        "vacant",
        None,
        "房主在外地",
    )
    assert (made["2-2-301"].occupancy, made["2-2-301"].tenure) == ("occupied", "rented")
    assert (made["1-1-101"].tenure, made["1-1-201"].tenure) == ("owner", None)
    assert str(made["1-1-201"].area_m2) == "88.50"
    numbers = db.session.scalars(
        select(Building.name).join(Compound).where(Compound.code == "new")
    ).all()
    assert sorted(numbers) == ["1号楼", "2号楼", "3号楼"]
    imported = db.session.get(RosterImport, body["import_id"])
    assert (imported.row_count, imported.filename, len(imported.sha256)) == (4, "名册.xlsx", 64)
    assert imported.counts["households"]["create"] == 4
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "roster_imported")
    ).one()
    assert "新建 3 栋楼、3 个单元、4 户" in event.summary
    assert event.actor_id == world.user_ids["new_committee"]

    again = load(client, world, xlsx_file(GOOD)).get_json()
    assert again["households"] == {"create": 0, "update": 0, "unchanged": 4}
    assert (again["buildings"], again["units"], again["changes"]) == (
        {"create": 0},
        {"create": 0},
        [],
    )


BROKEN = [
    ("1", "1", "101", None, None, None, None),  # row 2: no area
    ("1", "1", "102", "七十", None, None, None),  # 3: not a number
    ("1", "1", "103", "3", None, None, None),  # 4: too small
    ("1", "1", "104", "72.345", None, None, None),  # 5: three decimals
    (None, "1", "105", "70", None, None, None),  # 6: no building
    ("1", "1", None, "70", None, None, None),  # 7: no room
    ("1", "1", "101室", "70", None, None, None),  # 8: the same room as row 2
    ("1", "1单元", "106", "70", None, None, None),  # 9: unit 1 written two ways
    ("1号楼", "1", "107", "70", None, None, None),  # 10: building 1 written two ways
    ("1", "1", "108", "70", None, "自用", None),  # 11: unknown 状态
    ("1", "1", "109", "70", "三楼", None, None),  # 12: floor not a number
    ("1", "1", "110", "70", None, None, None),  # 13: fine
]


def test_a_broken_files_dry_run_lists_each_problem_where_the_user_sees_it(client, world):
    response = load(client, world, xlsx_file(BROKEN), dry_run=True)
    assert response.status_code == 200, response.get_json()
    problems = response.get_json()["problems"]
    assert [(p["row"], p["column"]) for p in problems] == [
        (2, "建筑面积(m²)"),
        (3, "建筑面积(m²)"),
        (4, "建筑面积(m²)"),
        (5, "建筑面积(m²)"),
        (6, "楼栋"),
        (7, "房号"),
        (8, "房号"),
        (9, "单元"),
        (10, "楼栋"),
        (11, "状态"),
        (12, "楼层"),
    ]
    messages = [p["message"] for p in problems]
    assert messages[0] == "请填写建筑面积"
    assert messages[1] == "建筑面积应为数字，如 72.36，这里是“七十”"
    assert messages[2] == "建筑面积应在 5 到 1000 平方米之间，这里是“3”"
    assert messages[3] == "建筑面积最多两位小数，这里是“72.345”"
    assert messages[6] == "1-1-101 与第 2 行重复"
    assert messages[7] == "1号楼1单元在第 2 行写作“1”，这里写作“1单元”，请统一写法"
    assert messages[8] == "1号楼在第 2 行写作“1”，这里写作“1号楼”，请统一写法"
    assert messages[9] == "状态只能填 自住、出租 或 空置，这里是“自用”"
    assert messages[10] == "楼层应为数字，如 3，这里是“三楼”"


def test_loading_a_broken_file_is_refused_whole_and_changes_nothing(client, world):
    rows = [*GOOD, ("1号楼", "1单元", "102", "abc", None, None, None)]
    response = load(client, world, xlsx_file(rows))
    assert response.status_code == 400
    body = response.get_json()
    assert body["code"] == "roster_invalid"
    assert body["message"] == "名册里有 1 处问题，没有导入任何内容。请改正后重新上传"
    assert body["report"]["problems"] == [
        {"row": 6, "column": "建筑面积(m²)", "message": "建筑面积应为数字，如 72.36，这里是“abc”"}
    ]
    assert body["report"]["households"]["create"] == 4
    assert (count(Household), count(Building), count(Unit), count(RosterImport)) == (0, 0, 0, 0)


def test_flats_the_file_leaves_out_stay_and_are_listed(client, world):
    rows = [
        ("1", "1", room, "72.36", None, None, None) for room in ("101", "102", "201")
    ]  # unit 2's flats are not named
    report = load(client, world, csv_file(rows), who="committee", code="aa", name="a.csv")
    assert report.status_code == 200, report.get_json()
    body = report.get_json()
    assert body["households"] == {"create": 0, "update": 0, "unchanged": 3}
    assert body["missing"] == [
        {"label": "1-2-101", "occupancy": "occupied", "has_bills": False, "has_people": True},
        {"label": "1-2-102", "occupancy": "occupied", "has_bills": False, "has_people": False},
        {"label": "1-2-201", "occupancy": "occupied", "has_bills": False, "has_people": False},
    ]
    assert len(flats("aa")) == 6


def test_a_csv_saved_by_excel_in_gbk_or_with_a_bom_loads(client, world):
    # GBK has no ², so Excel users write the header their own way.
    headers = ["楼栋", "单元", "房号", "建筑面积（平方米）", "楼层", "状态", "备注"]
    gbk = csv_file(GOOD, encoding="gbk", headers=headers)
    response = load(client, world, gbk, name="名册.csv")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["households"]["create"] == 4
    assert flats()["3-1-1201"].note == "房主在外地"

    bom = csv_file([("4", "1", "101", "50", None, None, None)], encoding="utf-8-sig")
    response = load(client, world, bom, name="名册.csv")
    assert response.status_code == 200, response.get_json()
    assert "4-1-101" in flats()


def test_floors_default_from_the_room_and_a_changed_floor_or_note_applies_at_once(client, world):
    rows = [("1", "1", "101", "72.36", "2", "出租", "一楼带小院")]
    body = load(client, world, csv_file(rows), who="committee", code="aa", name="a.csv").get_json()
    assert body["households"] == {"create": 0, "update": 1, "unchanged": 0}
    (change,) = body["changes"]
    assert change == {
        "label": "1-1-101",
        "needs_confirmation": False,
        "old_area_m2": "72.36",
        "new_area_m2": "72.36",
        "old_occupancy": "occupied",
        "new_occupancy": "occupied",
        "old_tenure": None,
        "new_tenure": "rented",
        "old_floor": 1,
        "new_floor": 2,
        "old_note": None,
        "new_note": "一楼带小院",
        "old_owner_key": None,
        "new_owner_key": None,
    }
    assert body["approval_id"] is None
    flat = flats("aa")["1-1-101"]
    assert (flat.floor, flat.tenure, flat.note) == (2, "rented", "一楼带小院")


@pytest.mark.parametrize(
    ("who", "code", "status", "error"),
    [
        ("committee", "new", 404, "compound_not_found"),  # another compound's committee
        ("liaison_1_1", "aa", 403, "committee_only"),
        ("supervisor", "aa", 403, "committee_only"),
        ("resident_1_1", "aa", 403, "committee_only"),
        ("outsider", "aa", 404, "compound_not_found"),
        ("committee", "nowhere", 404, "compound_not_found"),
    ],
)
def test_only_the_compounds_committee_may_load_or_download(client, world, who, code, status, error):
    response = load(client, world, xlsx_file(GOOD), who=who, code=code, dry_run=True)
    assert (response.status_code, response.get_json()["code"]) == (status, error)
    template = client.get(
        f"/api/v1/compounds/{code}/roster/template.xlsx", headers=world.headers(who)
    )
    assert (template.status_code, template.get_json()["code"]) == (status, error)
    assert count(Household) == 0


def test_the_platform_admin_may_load_any_compound(client, world):
    response = load(client, world, xlsx_file(GOOD), who="admin")
    assert response.status_code == 200, response.get_json()
    assert len(flats()) == 4


def test_an_archived_compound_refuses_a_roster(client, world):
    db.session.scalars(select(Compound).where(Compound.code == "new")).one().archived_at = utcnow()
    db.session.flush()
    for dry_run in (True, False):
        response = load(client, world, xlsx_file(GOOD), dry_run=dry_run)
        assert (response.status_code, response.get_json()["code"]) == (409, "compound_archived")
        assert response.get_json()["message"] == "本小区已归档，只能查看"
    assert count(Household) == 0


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "photo.png", "只能导入 .xlsx 或 .csv 文件"),
        (b"PK\x03\x04broken zip", "x.xlsx", "文件打不开，请用 Excel 另存为 .xlsx 后重试"),
        (b"", "empty.csv", "文件是空的"),
        ("房号,备注\n101,70\n".encode(), "x.csv", "表头缺少：楼栋、单元、建筑面积(m²)"),
        ("楼栋,单元,房号,建筑面积\n".encode(), "x.csv", "文件里没有房屋"),
        (b"\xff\xfe\xfd\x81\x30" * 10, "x.csv", "文件内容读不出来"),
    ],
)
def test_files_that_are_no_roster_are_refused(client, world, data, name, message):
    response = load(client, world, data, name=name, dry_run=True)
    assert response.status_code == 400, response.get_json()
    body = response.get_json()
    assert body["code"] == "bad_roster_file"
    assert body["message"].startswith(message)


def test_more_than_20000_rows_or_5_mb_is_refused(client, world):
    rows = [("1", "1", str(100 + i), "70", None, None, None) for i in range(20_001)]
    many = load(client, world, csv_file(rows), name="x.csv", dry_run=True)
    assert many.status_code == 400
    assert many.get_json()["message"] == "一次最多导入 20000 户，请分成几个文件导入"

    big = csv_file(GOOD) + b"\n" * (5 * 1024 * 1024)
    large = load(client, world, big, name="x.csv", dry_run=True)
    assert (large.status_code, large.get_json()["code"]) == (400, "bad_roster_file")
    assert large.get_json()["message"] == "文件太大（超过 5 MB），请分成几个文件导入"


def sheets(response) -> dict[str, list[list]]:
    assert response.status_code == 200, response.get_data(as_text=True)
    book = load_workbook(io.BytesIO(response.data))
    return {
        name: [list(r) for r in book[name].iter_rows(values_only=True)] for name in book.sheetnames
    }


def test_an_empty_compounds_template_has_the_headers_and_explains_each_column(client, world):
    response = client.get(
        "/api/v1/compounds/new/roster/template.xlsx", headers=world.headers("new_committee")
    )
    assert response.headers["Content-Type"] == XLSX
    book = sheets(response)
    assert list(book) == ["房屋名册", "说明"]
    assert book["房屋名册"] == [HEADERS]
    explained = {row[0]: row[1] for row in book["说明"][1:]}
    assert set(HEADERS) <= set(explained)
    assert "自住、出租 或 空置" in explained["状态"]


def test_a_filled_template_loads_back_unchanged(client, world):
    flats("aa")["1-2-201"].occupancy = "vacant"
    db.session.flush()
    response = client.get(
        "/api/v1/compounds/aa/roster/template.xlsx", headers=world.headers("committee")
    )
    rows = sheets(response)["房屋名册"]
    assert rows[0] == HEADERS
    assert rows[1] == [1, 1, "101", "72.36", 1, None, None, None]
    assert rows[6] == [1, 2, "201", "72.36", 2, "空置", None, None]
    again = load(client, world, response.data, who="committee", code="aa").get_json()
    assert again["households"] == {"create": 0, "update": 0, "unchanged": 6}
    assert again["problems"] == []


def test_a_post_without_a_file_is_a_bad_roster_file(client, world):
    response = client.post(
        "/api/v1/compounds/new/roster?dry_run=true", headers=world.headers("new_committee")
    )
    assert (response.status_code, response.get_json()["code"]) == (400, "bad_roster_file")
    assert response.get_json()["message"] == "请选择要导入的名册文件（.xlsx 或 .csv）"


def test_a_number_excel_computed_reads_as_the_cell_shows_it(client, world):
    rows = [(1, 1, 101, 72.36000000000001, 1, None, None)]  # a formula's float, numbers
    response = load(client, world, xlsx_file(rows))
    assert response.status_code == 200, response.get_json()
    flat = flats()["1-1-101"]
    assert (str(flat.area_m2), flat.room, flat.floor) == ("72.36", "101", 1)
