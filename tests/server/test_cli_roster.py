"""`flask --app server roster …`: the operator loads a roster and writes its template."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from server.extensions import db
from server.models import Approval, Household
from tests.factories import CompoundFactory, build_world

HEADER = "楼栋,单元,房号,建筑面积(m²),楼层,状态,备注\n"


@pytest.fixture
def world(db_session):
    world = build_world("aa")
    CompoundFactory(code="new", name="新华里")
    db.session.commit()  # (to the test's savepoint: a refused import rolls back its own work)
    return world


def run(app, *args):
    return app.test_cli_runner().invoke(args=["roster", *args])


def flats() -> int:
    return db.session.scalar(select(func.count()).select_from(Household))


def test_the_operator_checks_then_loads_a_roster(app, world, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(HEADER + "1,1,101,70,,,\n1,1,201,70,,出租,\n", encoding="utf-8")
    checked = run(app, "import", "new", str(path), "--dry-run")
    assert checked.exit_code == 0, checked.output
    assert "共 2 行：新建 1 栋楼、1 个单元、2 户" in checked.output
    assert "未导入" in checked.output
    assert flats() == 6

    loaded = run(app, "import", "new", str(path))
    assert loaded.exit_code == 0, loaded.output
    assert "已导入" in loaded.output
    assert flats() == 8


def test_problems_are_printed_in_chinese_and_exit_1(app, world, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(HEADER + "1,1,101,,,,\n", encoding="utf-8")
    result = run(app, "import", "new", str(path))
    assert result.exit_code == 1
    assert "第 2 行 建筑面积(m²)：请填写建筑面积" in result.output
    assert flats() == 6


def test_the_cli_refuses_area_changes_of_existing_flats(app, world, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(HEADER + "1,1,101,80,,,\n1,3,101,50,,,\n", encoding="utf-8")
    result = run(app, "import", "aa", str(path))
    assert result.exit_code == 1
    assert "面积/空置变更请在小程序中由业委会提交并由另一位委员确认" in result.output
    assert flats() == 6  # the new flat 1-3-101 was not loaded either
    assert db.session.scalars(select(Approval)).all() == []


def test_the_operator_writes_a_filled_template(app, world, tmp_path):
    out = tmp_path / "aa.xlsx"
    result = run(app, "template", "aa", str(out))
    assert result.exit_code == 0, result.output
    rows = list(load_workbook(io.BytesIO(out.read_bytes()))["房屋名册"].iter_rows(values_only=True))
    assert len(rows) == 7
    missing = run(app, "template", "nowhere", str(tmp_path / "x.xlsx"))
    assert missing.exit_code == 1
    assert "找不到该小区" in missing.output
