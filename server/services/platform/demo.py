"""The demo compound: 市供电局小区, modelled on the 1996 compound in Taiyuan.

3 buildings, 9 stairwell units, 132 households; one liaison per unit, a lead per
building, a 9-member owners' committee, a finance supervisor, and the
self-governance fee of 0.35 yuan per m² per month. Every demo user signs in
through the WeChat sandbox with the code `demo-<openid>`. It pays through the
installation's default WeChat Pay merchant (API v2 on the sandbox).

`make run` also loads 新苑小区 (`load_v3`, code `demo-v3`): one stairwell of 6 flats
whose fees go to the sandbox's API v3 merchant, its people signing in as
`demo-v3-<openid>` (e.g. `demo-v3-resident-1-1-101`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask import current_app
from sqlalchemy import distinct, func, select

from server.config_pay import SANDBOX_V3_MERCHANT
from server.extensions import db
from server.models import Building, Compound, FeeItem, Household, Membership, Unit
from server.services.money import ledger
from server.services.people import roles

CODE = "demo"
NAME = "市供电局小区"


@dataclass(frozen=True)
class BuildingPlan:
    number: int
    units: int
    floors: int
    # Floor area of each door's flat (door 1, 2, ...), m².
    door_areas: tuple[str, ...]


PLAN = (
    BuildingPlan(1, 3, 6, ("72.36", "86.54")),
    BuildingPlan(2, 3, 7, ("68.12", "91.40")),
    BuildingPlan(3, 3, 6, ("56.78", "63.25", "78.90")),
)
# End-of-building flats have a gable wall and a little more floor area.
GABLE_EXTRA = Decimal("4.18")
VACANT = {"1-2-602", "2-3-701", "3-1-103"}

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = (
    "秀兰",
    "建国",
    "桂英",
    "志强",
    "玉梅",
    "国华",
    "淑珍",
    "德明",
    "丽华",
    "福生",
    "春梅",
    "长海",
)


@dataclass(frozen=True)
class DemoSummary:
    created: bool
    buildings: int
    units: int
    households: int
    users: int


def demo_name(i: int) -> str:
    return SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)]


def load() -> DemoSummary:
    """Create the demo compound and its people. Running it again changes nothing."""
    existing = db.session.scalars(select(Compound).where(Compound.code == CODE)).first()
    if existing is not None:
        return _summary(existing, created=False)
    compound = Compound(code=CODE, name=NAME, address="山西省太原市杏花岭区坝陵桥街道")
    db.session.add(compound)
    db.session.flush()
    ledger.open_chain(compound.id)
    _fee_items(compound)
    people = _People()
    for plan in PLAN:
        _building(compound, plan, people)
    for i in range(1, 10):
        people.grant(f"committee-{i}", "committee", compound)
    people.grant("supervisor-1", "supervisor", compound)
    people.grant("admin", "admin", None)
    db.session.commit()
    return _summary(compound, created=True)


V3_CODE = "demo-v3"
V3_NAME = "新苑小区"
V3_PLAN = (BuildingPlan(1, 1, 3, ("65.40", "82.10")),)


def load_v3() -> DemoSummary | None:
    """Create 新苑小区, paying through the sandbox's v3 merchant; running it again
    changes nothing. None when there is no such merchant (production)."""
    existing = db.session.scalars(select(Compound).where(Compound.code == V3_CODE)).first()
    if existing is not None:
        return _summary(existing, created=False)
    if SANDBOX_V3_MERCHANT not in current_app.config["WECHAT_PAY_MERCHANTS"]:
        return None
    compound = Compound(
        code=V3_CODE,
        name=V3_NAME,
        address="山西省太原市杏花岭区坝陵桥街道新苑路 8 号",
        pay_merchant=SANDBOX_V3_MERCHANT,
    )
    db.session.add(compound)
    db.session.flush()
    ledger.open_chain(compound.id)
    _fee_items(compound)
    people = _People("v3-")
    for plan in V3_PLAN:
        _building(compound, plan, people)
    for i in (1, 2):
        people.grant(f"committee-{i}", "committee", compound)
    people.grant("supervisor-1", "supervisor", compound)
    db.session.commit()
    return _summary(compound, created=True)


def _fee_items(compound: Compound) -> None:
    db.session.add_all(
        [
            FeeItem(
                compound_id=compound.id,
                code="self_governance",
                name="自治管理费",
                kind="per_area",
                rate=Decimal("0.35"),
                cycle="monthly",
                vacant_rule="charge",
            ),
            FeeItem(
                compound_id=compound.id,
                code="stair_electricity",
                name="楼道公用电费",
                kind="shared_meter",
                cycle="monthly",
                vacant_rule="exempt",
            ),
        ]
    )


def _building(compound: Compound, plan: BuildingPlan, people: _People) -> None:
    building = Building(compound_id=compound.id, number=plan.number, name=f"{plan.number}号楼")
    db.session.add(building)
    db.session.flush()
    people.grant(f"lead-{plan.number}", "building_lead", building)
    for unit_no in range(1, plan.units + 1):
        unit = Unit(compound_id=compound.id, building_id=building.id, number=unit_no)
        db.session.add(unit)
        db.session.flush()
        people.grant(f"liaison-{plan.number}-{unit_no}", "liaison", unit)
        for household in _households(compound, building, unit, plan):
            db.session.add(household)
            db.session.flush()
            if household.occupancy == "occupied":
                label = f"{plan.number}-{unit_no}-{household.room}"
                people.grant(f"resident-{label}", "resident", household, relation="owner")


class _People:
    """Demo users, each with a deterministic Chinese name (`prefix`: the openids of
    another demo compound's people, so none is shared)."""

    def __init__(self, prefix: str = ""):
        self.count = 0
        self.prefix = prefix

    def grant(self, openid: str, role: str, target, relation: str | None = None) -> None:
        user = roles.user_for_openid(self.prefix + openid)
        if user.nickname is None:
            user.nickname = demo_name(self.count)
        self.count += 1
        name = user.nickname if relation else None
        roles.grant(user.id, role, target, relation=relation, name=name)


def _households(compound, building, unit, plan: BuildingPlan):
    doors = len(plan.door_areas)
    for floor in range(1, plan.floors + 1):
        for door in range(1, doors + 1):
            area = Decimal(plan.door_areas[door - 1])
            gable = (unit.number == 1 and door == 1) or (
                unit.number == plan.units and door == doors
            )
            if gable:
                area += GABLE_EXTRA
            room = str(floor * 100 + door)
            label = f"{plan.number}-{unit.number}-{room}"
            yield Household(
                compound_id=compound.id,
                building_id=building.id,
                unit_id=unit.id,
                room=room,
                floor=floor,
                area_m2=area,
                occupancy="vacant" if label in VACANT else "occupied",
            )


def _summary(compound: Compound, *, created: bool) -> DemoSummary:
    def count(column, where):
        return db.session.scalar(select(func.count(distinct(column))).where(where))

    return DemoSummary(
        created=created,
        buildings=count(Building.id, Building.compound_id == compound.id),
        units=count(Unit.id, Unit.compound_id == compound.id),
        households=count(Household.id, Household.compound_id == compound.id),
        users=count(Membership.user_id, Membership.compound_id == compound.id),
    )
