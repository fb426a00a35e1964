"""Loading the census from a spreadsheet (the committee, from paper forms filled on the
doorstep): one person per row, columns 楼号 单元 房号 姓名 关系 年龄段 电话 使用微信.

A dry run reports what would change; a real run writes all or nothing: a person
already registered at that flat under the same name is updated, anyone else added
(source "import"). The template's 说明 asks to import only people who agreed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from server.clock import utcnow
from server.errors import Forbidden, ValidationFailed
from server.extensions import db
from server.labels import GROUPS
from server.models import (
    AccessLog,
    Building,
    Compound,
    ConsentRecord,
    Household,
    HouseholdMember,
    Unit,
)
from server.services.census import crypto
from server.services.census.listing import living
from server.services.governance import roster_files
from server.services.governance.roster_rows import (
    BUILDING_SUFFIX,
    ROOM,
    UNIT_SUFFIX,
    cell_text,
    parse_number,
    squash,
)
from server.services.people import compounds
from server.services.people.access import Principal

MAX_ROWS = 20_000
NAME_MAX = 32
# Column key → (header as the template writes it, the words a header may start with).
COLUMNS = {
    "building": ("楼号", ("楼号", "楼栋")),
    "unit": ("单元", ("单元",)),
    "room": ("房号", ("房号", "门牌号")),
    "name": ("姓名", ("姓名", "称呼")),
    "relation": ("关系", ("关系", "与本户关系")),
    "age_band": ("年龄段", ("年龄段", "年龄")),
    "phone": ("电话", ("电话", "手机", "联系电话")),
    "uses_wechat": ("使用微信", ("使用微信", "微信")),
}
REQUIRED = ("building", "unit", "room", "name", "relation")
# What paper forms write besides 业主/租户/家属: the family's own words are 家属.
FAMILY_WORDS = (
    "配偶",
    "老伴",
    "子女",
    "儿子",
    "女儿",
    "父母",
    "父亲",
    "母亲",
    "孙子",
    "孙女",
    "亲属",
)
RELATIONS = (
    {text: code for code, text in GROUPS["relation"].items()}
    | {"户主": "owner", "房东": "owner", "租客": "tenant"}
    | dict.fromkeys(FAMILY_WORDS, "family")
)
AGE_BANDS = {squash(text): code for code, text in GROUPS["age_band"].items()} | {
    "18岁以下": "under_18",
    "18-59岁": "18_59",
    "80岁以上": "80_plus",
}
ERASED = "这户已申请删除登记信息，不能从表格导入；请联络人当面征得同意后重新登记"
AGAIN = "不能从表格重新导入；如已搬回，请联络人当面登记"
YES = {"是", "用", "使用", "有", "Y", "YES", "√", "✓"}
NO = {"", "否", "不用", "不使用", "没有", "无", "N", "NO", "×", "✗"}


def bad_file(message: str) -> ValidationFailed:
    return ValidationFailed(message, code="bad_census_file")


@dataclass
class Person:
    row: int
    household_id: int
    fields: dict


def census_compound(principal: Principal, code: str) -> Compound:
    """The caller's compound if they are on its committee. Raises NotFound, Forbidden."""
    compound = compounds.member_compound(principal, code)
    if not principal.committee_of(compound.id):
        raise Forbidden("只有业委会成员可以导入、下载住户登记模板", code="committee_only")
    return compound


def import_census(principal: Principal, code: str, data: bytes | None, *, dry_run: bool) -> dict:
    """Check (dry run) or load a census file, all or nothing: {"dry_run", "rows",
    "added", "updated", "errors": [{"row", "message"}]}.

    Raises NotFound, Forbidden (committee_only), Conflict (compound_archived),
    ValidationFailed (bad_census_file; census_invalid with the report as `report`).
    """
    compound = census_compound(principal, code)
    compounds.ensure_open(compound)
    if not data:
        raise bad_file("请选择要导入的住户登记表（.xlsx 或 .csv）")
    people, errors, count = _read(compound, data)
    existing = _existing([p.household_id for p in people])
    people, refused = _not_brought_back(people, existing)
    errors = sorted(errors + refused, key=lambda e: e["row"])
    updates = [p for p in people if (p.household_id, p.fields["name"]) in existing]
    report = {
        "dry_run": dry_run,
        "rows": count,
        "added": len(people) - len(updates),
        "updated": len(updates),
        "errors": errors,
    }
    if dry_run:
        return report
    if errors:
        raise ValidationFailed(
            f"登记表里有 {len(errors)} 处问题，没有导入任何内容。请改正后重新上传",
            code="census_invalid",
            extra={"report": report},
        )
    _write(principal, compound, people, existing)
    db.session.commit()
    return report


def _read(compound: Compound, data: bytes) -> tuple[list[Person], list[dict], int]:
    try:
        table = roster_files.read_table(data)
        header = roster_files.find_header(
            table,
            COLUMNS,
            REQUIRED,
            "文件是空的：第 1 行应为表头（楼号、单元、房号、姓名、关系……）",
        )
        rows = [(line, cells) for line, cells in table if any(cell_text(c) for c in cells)]
    except ValidationFailed as error:  # the roster's reader says bad_roster_file
        raise bad_file(error.message) from None
    if not rows:
        raise bad_file("文件里没有住户：表头下面请每行写一个人")
    if len(rows) > MAX_ROWS:
        raise bad_file(f"一次最多导入 {MAX_ROWS} 人，请分成几个文件导入")
    flats = _flats(compound.id)
    people, errors, seen = [], [], set()
    for line, cells in rows:
        try:
            person = _person(line, [cell_text(c) for c in cells], header, flats)
        except ValueError as problem:
            errors.append({"row": line, "message": str(problem)})
            continue
        key = (person.household_id, person.fields["name"])
        if key in seen:
            errors.append({"row": line, "message": "同一户里这个姓名写了两次"})
            continue
        seen.add(key)
        people.append(person)
    return people, errors, len(rows)


def _flats(compound_id: int) -> dict[tuple[int, int, str], int]:
    rows = db.session.execute(
        select(Building.number, Unit.number, Household.room, Household.id)
        .join(Unit, Unit.id == Household.unit_id)
        .join(Building, Building.id == Household.building_id)
        .where(Household.compound_id == compound_id)
    )
    return {(b, u, room): hid for b, u, room, hid in rows}


def _person(line: int, cells: list[str], header: dict[str, int], flats) -> Person:
    """A row as a Person; ValueError with the message of its first problem."""

    def cell(key: str) -> str:
        index = header.get(key)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    building = parse_number(squash(cell("building")), BUILDING_SUFFIX)
    unit = parse_number(squash(cell("unit")), UNIT_SUFFIX)
    room = ROOM.match(squash(cell("room")))
    if building is None or unit is None or room is None:
        raise ValueError("楼号、单元、房号要写清楚，如 1、2、301")
    household_id = flats.get((building, unit, room[1]))
    if household_id is None:
        raise ValueError(f"本小区没有 {building}-{unit}-{room[1]} 这一户，请先在房屋名册里添加")
    name = " ".join(cell("name").split())
    if not 1 <= len(name) <= NAME_MAX:
        raise ValueError(f"姓名不能为空，最多 {NAME_MAX} 个字")
    relation = RELATIONS.get(squash(cell("relation")))
    if relation is None:
        raise ValueError("关系请填 业主、租户 或 家属（配偶、子女等写 家属）")
    band = squash(cell("age_band"))
    age_band = AGE_BANDS.get(band) if band else None
    if band and age_band is None:
        raise ValueError("年龄段请填 18岁以下、18–59岁、60–69岁、70–79岁 或 80岁及以上")
    try:
        phone = crypto.clean_phone(squash(cell("phone")))
    except ValidationFailed as error:
        raise ValueError(error.message) from None
    wechat = squash(cell("uses_wechat")).upper()
    if wechat not in YES | NO:
        raise ValueError("使用微信请填 是 或 否")
    fields = {
        "name": name,
        "relation": relation,
        "age_band": age_band,
        "phone": phone,
        "uses_wechat": wechat in YES,
    }
    return Person(line, household_id, fields)


def _not_brought_back(people: list[Person], existing) -> tuple[list[Person], list[dict]]:
    """Leave out (as errors) the rows that would bring back a household that asked for
    its data to be erased (unless it agreed to the census again since) or a person
    registered as moved out of that flat: an old spreadsheet must not undo either."""
    ids = {p.household_id for p in people}
    if not ids:
        return people, []
    erased = _latest(AccessLog.household_id, AccessLog.created_at, ids, AccessLog.action == "erase")
    agreed = _latest(
        ConsentRecord.household_id,
        ConsentRecord.created_at,
        ids,
        ConsentRecord.kind == "census",
        ConsentRecord.withdrawn_at.is_(None),
    )
    left = set(
        db.session.execute(
            select(HouseholdMember.household_id, HouseholdMember.name).where(
                HouseholdMember.household_id.in_(ids),
                HouseholdMember.moved_out_at.is_not(None),
                HouseholdMember.anonymised_at.is_(None),
            )
        ).all()
    )
    kept, errors = [], []
    for person in people:
        key = (person.household_id, person.fields["name"])
        at = erased.get(person.household_id)
        if at is not None and agreed.get(person.household_id, at) <= at:
            errors.append({"row": person.row, "message": ERASED})
        elif key in left and key not in existing:
            errors.append({"row": person.row, "message": f"{key[1]} 已登记搬离这户，{AGAIN}"})
        else:
            kept.append(person)
    return kept, errors


def _latest(household, created_at, ids, *where) -> dict:
    return dict(
        db.session.execute(
            select(household, func.max(created_at))
            .where(household.in_(ids), *where)
            .group_by(household)
        ).all()
    )


def _existing(household_ids: list[int]) -> dict[tuple[int, str], HouseholdMember]:
    if not household_ids:
        return {}
    members = db.session.scalars(
        select(HouseholdMember).where(
            HouseholdMember.household_id.in_(set(household_ids)), living()
        )
    )
    return {(m.household_id, m.name): m for m in members}


def _write(principal: Principal, compound: Compound, people: list[Person], existing) -> None:
    now = utcnow()
    for person in people:
        fields = dict(person.fields)
        phone = fields.pop("phone")
        member = existing.get((person.household_id, fields["name"]))
        # A blank cell keeps what the record has (the file may be older than it).
        if member is not None and fields["age_band"] is None:
            del fields["age_band"]
        if member is None or phone is not None:
            fields.update(crypto.sealed(phone))
        if member is None:
            member = HouseholdMember(
                compound_id=compound.id,
                household_id=person.household_id,
                source="import",
                created_by_id=principal.id,
                created_at=now,
            )
            db.session.add(member)
        else:
            member.updated_by_id, member.updated_at = principal.id, now
        for key, value in fields.items():
            setattr(member, key, value)
