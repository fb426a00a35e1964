"""The desk's compound pages (房屋名册, 人员与角色, 工作交接, 处理时限, 操作记录, 查阅记录)
through a signed-in test client: what a committee member sees and does, what the
supervisor may see, and another compound's ids answered with the 404 page."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import func, select

from server.extensions import db
from server.models import Compound, Household
from tests.factories import build_world
from tests.server.console.desk import signed_in, submit

HEADERS = ["楼栋", "单元", "房号", "建筑面积(m²)", "楼层", "状态", "备注"]


@pytest.fixture
def world(db_session, photo_storage):
    return build_world("cp")


def csv_file(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return out.getvalue().encode()


def flats(code="cp") -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Household)
        .join(Compound, Compound.id == Household.compound_id)
        .where(Compound.code == code)
    )


def text(response) -> str:
    return response.get_data(as_text=True)


def check(browser, data: bytes, name="名册.csv"):
    return submit(
        browser,
        "/console/roster/check",
        {"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def draft_of(page: str) -> str:
    return re.search(r'name="draft" value="([^"]+)"', page).group(1)


EXISTING = [("1", "1", "101", "72.36", None, None, None)]


def test_a_roster_with_an_error_shows_the_row_and_reason_and_changes_nothing(app, world):
    browser = signed_in(app, world)
    before = flats()
    rows = [*EXISTING, ("2", "1", "101", "七十", None, None, None)]
    page = text(check(browser, csv_file(rows)))
    assert "有 1 处问题，不能导入" in page
    assert "第 3 行" in page
    assert "建筑面积应为数字，如 72.36，这里是“七十”" in page
    assert "确认导入" not in page
    assert flats() == before


def test_a_clean_roster_is_checked_then_loaded_and_the_overview_shows_the_new_flats(app, world):
    browser = signed_in(app, world)
    rows = [*EXISTING, ("2", "1", "101", "88.5", None, "出租", None)]
    rows += [("2", "1", "102", "90", None, "空置", None)]
    page = text(check(browser, csv_file(rows)))
    assert "没有发现问题，可以导入" in page
    assert "1-1-102" in page  # a flat the file leaves out is listed, and stays
    assert flats() == 6

    loaded = submit(
        browser, "/console/roster/import", {"draft": draft_of(page)}, follow_redirects=True
    )
    shown = text(loaded)
    assert "已导入名册：新建 1 栋楼、1 个单元、2 户" in shown
    assert flats() == 8
    assert re.search(r"<div>房屋</div><div class=\"value\">8</div>", shown)
    assert "2号楼" in shown
    # The file was loaded once: the same draft again is refused.
    again = submit(
        browser, "/console/roster/import", {"draft": draft_of(page)}, follow_redirects=True
    )
    assert "这份检查结果已过期" in text(again)
    assert flats() == 8
