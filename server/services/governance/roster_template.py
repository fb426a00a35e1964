"""The roster template (房屋名册模板): the headers the import reads, filled with the
compound's flats when it has some (so a re-import edits the current roster), and a
second sheet 说明 explaining each column in plain words."""

from __future__ import annotations

from sqlalchemy import select

from server.extensions import db
from server.labels import label
from server.models import Building, Household, Unit
from server.services import excel
from server.services.governance.roster import roster_compound
from server.services.governance.roster_rows import COLUMNS
from server.services.people.access import Principal

KINDS = {
    "building": ("number", 8),
    "unit": ("number", 8),
    "room": ("text", 10),
    "area": ("text", 14),  # text keeps 80.50 as written
    "floor": ("number", 8),
    "status": ("text", 10),
    "note": ("text", 30),
    "owner_key": ("text", 14),
}
EXPLAINED = (
    ("楼栋", "必填。楼号，写 1、1号楼 或 一号楼 都可以，同一个文件里请用同一种写法", "1号楼"),
    ("单元", "必填。单元号，写 2 或 2单元 都可以", "2"),
    ("房号", "必填。门牌号，如 301（3 楼 01 户）；写 301室 也可以", "301"),
    ("建筑面积(m²)", "必填。房产证上的建筑面积，5 到 1000 平方米，最多两位小数", "72.36"),
    ("楼层", "可不填。不填时按房号算：301 在 3 楼，1201 在 12 楼", "3"),
    ("状态", "可不填。只能填 自住、出租 或 空置；空置房可能按规定少交或免交费用", "自住"),
    ("备注", "可不填。最多 200 个字的一般说明（请不要写电话、身份证号）", "一楼带小院"),
    (
        "产权人编号",
        "同一产权人有多套房时填相同编号，表决时按一人计算；不知道可不填。"
        "最多 32 个字，可以是字母或数字（请不要写姓名、身份证号）",
        "A01",
    ),
)
NOTES = (
    ("提示", "已有的房屋改了面积或空置状态，要另一位业委会委员确认后才生效", ""),
    ("提示", "文件里没写到的已有房屋不会被删除，导入前的检查结果会列出它们", ""),
    ("提示", "先点「检查」看结果，没有问题再点「确认导入」", ""),
)


def template(principal: Principal | None, code: str) -> tuple[bytes, str]:
    """The template workbook and its file name. Raises NotFound, Forbidden."""
    compound = roster_compound(principal, code)
    columns = [
        excel.Column(title, KINDS[key][1], KINDS[key][0]) for key, (title, _) in COLUMNS.items()
    ]
    guide = excel.Sheet(
        "说明",
        [excel.Column("列", 16), excel.Column("怎么填", 70), excel.Column("例子", 12)],
        EXPLAINED + NOTES,
    )
    sheets = [excel.Sheet("房屋名册", columns, _rows(compound.id)), guide]
    return excel.xlsx(*sheets), f"roster-{compound.code}.xlsx"


def _rows(compound_id: int) -> list[tuple]:
    rows = db.session.execute(
        select(
            Building.number,
            Unit.number,
            Household.room,
            Household.area_m2,
            Household.floor,
            Household.occupancy,
            Household.tenure,
            Household.note,
            Household.owner_key,
        )
        .join(Unit, Unit.id == Household.unit_id)
        .join(Building, Building.id == Unit.building_id)
        .where(Household.compound_id == compound_id)
        .order_by(Building.number, Unit.number, Household.floor, Household.room)
    )
    return [
        (b, u, room, str(area), floor, _status(occupancy, tenure), note, key)
        for b, u, room, area, floor, occupancy, tenure, note, key in rows
    ]


def _status(occupancy: str, tenure: str | None) -> str | None:
    if occupancy == "vacant":
        return "空置"
    return label("tenure", tenure) if tenure else None
