"""The census as a workbook: the import template (with a 说明 sheet), and the export
of the caller's reach, phones masked and without tags unless sensitive data are asked
for; either way the export is logged per household with its reason."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from server.clock import SHANGHAI, utcnow
from server.extensions import db
from server.labels import label
from server.models import Building, CareTag, Household, HouseholdCensus, HouseholdMember, Unit
from server.services import excel
from server.services.census import access, crypto
from server.services.census.census_import import COLUMNS, census_compound
from server.services.census.coverage import volunteer_compound
from server.services.census.listing import living
from server.services.people.access import Principal

TEMPLATE_WIDTHS = (8, 8, 10, 12, 8, 14, 16, 10)
EXPLAINED = (
    ("楼号", "必填。写 1 或 1号楼", "1"),
    ("单元", "必填。写 2 或 2单元", "2"),
    ("房号", "必填。门牌号，如 301", "301"),
    ("姓名", "必填。住户的称呼，最多 32 个字", "王秀兰"),
    ("关系", "必填。业主、租户 或 家属", "业主"),
    ("年龄段", "可不填。18岁以下、18–59岁、60–69岁、70–79岁、80岁及以上", "70–79岁"),
    ("电话", "可不填。手机 11 位，座机带区号；加密保存", "13800001234"),
    ("使用微信", "可不填。是 或 否", "是"),
    ("提示", "只导入已经同意登记（读过个人信息告知）的住户", ""),
    ("提示", "同一户里姓名相同的人会被更新，不会重复添加", ""),
    ("提示", "先点「检查」看结果，没有问题再点「确认导入」", ""),
)


def template(principal: Principal, code: str) -> tuple[bytes, str]:
    """The empty import template and its file name (committee). Raises NotFound,
    Forbidden (committee_only)."""
    compound = census_compound(principal, code)
    columns = [
        excel.Column(title, width)
        for (title, _), width in zip(COLUMNS.values(), TEMPLATE_WIDTHS, strict=True)
    ]
    guide = excel.Sheet(
        "说明",
        [excel.Column("列", 12), excel.Column("怎么填", 60), excel.Column("例子", 14)],
        EXPLAINED,
    )
    data = excel.xlsx(excel.Sheet("住户登记", columns, []), guide)
    return data, f"census-template-{compound.code}.xlsx"


def export(
    principal: Principal, code: str, include_sensitive: bool, reason: str | None
) -> tuple[bytes, str]:
    """The census of the caller's reach as a workbook (the committee: all; a liaison:
    their units; a building lead: their building). Phones masked and no tags unless
    `include_sensitive` (then phones in full where the caller may see them); logged
    `export_census` per household with the choice and reason. Commits the log.

    Raises NotFound (compound_not_found), Forbidden (volunteers_only).
    """
    compound = volunteer_compound(principal, code)
    flats = db.session.execute(
        select(Household, Building.number, Unit.number, HouseholdCensus)
        .join(Unit, Unit.id == Household.unit_id)
        .join(Building, Building.id == Household.building_id)
        .outerjoin(HouseholdCensus, HouseholdCensus.household_id == Household.id)
        .where(Household.unit_id.in_(access.units_in_reach(principal, compound.id)))
        .order_by(Building.number, Unit.number, Household.floor, Household.room)
    ).all()
    ids = [row[0].id for row in flats]
    people = _members(ids)
    tags = _tags(ids) if include_sensitive else {}
    rows = []
    for household, building_no, unit_no, census in flats:
        full = include_sensitive and access.may_see_phone(principal, household)
        extra = (
            ["、".join(label("care_tag", t) for t in tags.get(household.id, []))]
            if include_sensitive
            else []
        )
        confirmed = census.confirmed_at if census else None
        residence = label("residence", census.residence if census else "lives_here")
        for member in people.get(household.id, [None]):
            rows.append(
                [
                    building_no,
                    unit_no,
                    household.room,
                    *_person(member, full),
                    residence,
                    confirmed,
                    *extra,
                ]
            )
    why = f"含敏感信息：{reason or '导出住户登记'}" if include_sensitive else "已遮蔽"
    access.log_reads(
        principal, compound.id, "export_census", "household", [(i, i) for i in ids], why[:100]
    )
    db.session.commit()
    columns = [
        excel.Column("楼号", 8, "number"),
        excel.Column("单元", 8, "number"),
        excel.Column("房号", 10),
        excel.Column("姓名", 12),
        excel.Column("关系", 8),
        excel.Column("年龄段", 12),
        excel.Column("电话", 16),
        excel.Column("使用微信", 10, "yes_no"),
        excel.Column("居住情况", 12),
        excel.Column("最近确认", 18, "datetime"),
    ]
    if include_sensitive:
        columns.append(excel.Column("关爱标记", 24))
    day = utcnow().astimezone(SHANGHAI).date().isoformat()
    return excel.xlsx(excel.Sheet("住户登记", columns, rows)), f"census-{compound.code}-{day}.xlsx"


def _person(member: HouseholdMember | None, full: bool) -> list:
    if member is None:  # a flat with nobody registered: one row, to be visited
        return [None, None, None, None, False]
    phone = crypto.decrypt(member.phone_cipher) if full else member.phone_masked
    return [
        member.name,
        label("relation", member.relation),
        label("age_band", member.age_band) if member.age_band else None,
        phone,
        member.uses_wechat,
    ]


def _members(ids: list[int]) -> dict[int, list[HouseholdMember]]:
    found: dict[int, list[HouseholdMember]] = defaultdict(list)
    if ids:
        rows = db.session.scalars(
            select(HouseholdMember)
            .where(HouseholdMember.household_id.in_(ids), living())
            .order_by(HouseholdMember.id)
        )
        for member in rows:
            found[member.household_id].append(member)
    return found


def _tags(ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    if ids:
        rows = db.session.execute(
            select(CareTag.household_id, CareTag.tag)
            .where(CareTag.household_id.in_(ids))
            .order_by(CareTag.id)
        )
        for household_id, tag in rows:
            found[household_id].append(tag)
    return found
