"""factory_boy factories and small builders for compounds and the people in them."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import factory

from server.extensions import db
from server.models import Building, Compound, FeeItem, Household, Unit, User
from server.services.money import ledger
from server.services.people import auth, roles


class _Factory(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class CompoundFactory(_Factory):
    class Meta:
        model = Compound

    code = factory.Sequence(lambda n: f"c{n:04d}")
    name = factory.Sequence(lambda n: f"测试小区{n}")


class UnitFactory(_Factory):
    class Meta:
        model = Unit
        exclude = ("building_obj",)

    building_obj = None
    building_id = factory.LazyAttribute(lambda o: o.building_obj.id)
    compound_id = factory.LazyAttribute(lambda o: o.building_obj.compound_id)
    number = 1


class HouseholdFactory(_Factory):
    class Meta:
        model = Household
        exclude = ("unit_obj",)

    unit_obj = None
    unit_id = factory.LazyAttribute(lambda o: o.unit_obj.id)
    building_id = factory.LazyAttribute(lambda o: o.unit_obj.building_id)
    compound_id = factory.LazyAttribute(lambda o: o.unit_obj.compound_id)
    room = "101"
    floor = 1
    area_m2 = Decimal("72.36")
    occupancy = "occupied"


class UserFactory(_Factory):
    class Meta:
        model = User

    openid = factory.Sequence(lambda n: f"test-openid-{n}")
    nickname = factory.Sequence(lambda n: f"用户{n}")


@dataclass
class World:
    """A compound with units, households and one person per role."""

    compound: Compound
    units: list[Unit]
    households: dict[str, Household]  # "1-1-101" → household
    people: dict[str, User] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    openids: dict[str, str] = field(default_factory=dict)

    def household(self, label: str) -> Household:
        return self.households[label]

    def headers(self, who: str) -> dict:
        # Tokens are made at build time: reading a user after a commit would open a
        # transaction (on SQLite, a write lock) in the test's own session.
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def fresh_headers(self, who: str) -> dict:
        """A token made now (under a frozen clock, made at the frozen time)."""
        return {"Authorization": f"Bearer {auth.issue_token(self.people[who])[0]}"}

    def openid(self, who: str) -> str:
        return self.openids[who]


def build_world(code: str, *, units_per_building: int = 2, rooms=("101", "102", "201")) -> World:
    """Compound `code`: building 1 with N units and the given rooms in each; a resident
    of 1-1-101 and of 1-2-101, a liaison per unit, a building lead, two committee
    members, a supervisor, and an outsider with no role."""
    compound = CompoundFactory(code=code, name=f"{code}小区")
    ledger.open_chain(compound.id)
    building = Building(compound_id=compound.id, number=1, name="1号楼")
    db.session.add(building)
    db.session.flush()
    units, households = [], {}
    for number in range(1, units_per_building + 1):
        unit = UnitFactory(building_obj=building, number=number)
        units.append(unit)
        for room in rooms:
            households[f"1-{number}-{room}"] = HouseholdFactory(
                unit_obj=unit, room=room, floor=int(room) // 100
            )
    world = World(compound, units, households)

    def person(key: str, role: str | None, target=None, **kwargs) -> None:
        user = UserFactory(openid=f"{code}-{key}")
        if role:
            roles.grant(user.id, role, target, **kwargs)
        world.people[key] = user
        world.tokens[key] = auth.issue_token(user)[0]
        world.openids[key] = user.openid

    person("resident_1_1", "resident", households["1-1-101"], relation="owner", name="王秀兰")
    person("resident_1_2", "resident", households["1-2-101"], relation="owner", name="李建国")
    for i, unit in enumerate(units, start=1):
        person(f"liaison_1_{i}", "liaison", unit)
    person("lead_1", "building_lead", building)
    person("committee", "committee", compound)
    person("committee_2", "committee", compound)
    person("supervisor", "supervisor", compound)
    person("outsider", None)
    db.session.flush()
    return world


def second_account(world: World, who: str, role: str, target) -> str:
    """Another WeChat account of the person `who` (both get one unionid), holding `role`
    on `target`; returns its key in `world`."""
    first = world.people[who]
    first.unionid = first.unionid or f"union-{first.openid}"
    key = f"{who}_second_account"
    user = UserFactory(openid=f"{first.openid}-2", unionid=first.unionid)
    roles.grant(user.id, role, target)
    world.people[key] = user
    world.tokens[key] = auth.issue_token(user)[0]
    world.openids[key] = user.openid
    db.session.flush()
    return key


def self_governance_fee(compound: Compound, rate: str = "0.35", cycle: str = "monthly") -> FeeItem:
    """The compound's self-governance fee (yuan per m² per month), vacant flats charged."""
    item = FeeItem(
        compound_id=compound.id,
        code="self_governance",
        name="自治管理费",
        kind="per_area",
        rate=rate,
        cycle=cycle,
        vacant_rule="charge",
    )
    db.session.add(item)
    db.session.flush()
    return item


def stair_electricity_fee(compound: Compound, vacant_rule: str = "charge") -> FeeItem:
    """The compound's shared stairwell electricity, split over each unit's households."""
    item = FeeItem(
        compound_id=compound.id,
        code="stair_electricity",
        name="楼道公用电费",
        kind="shared_meter",
        cycle="monthly",
        vacant_rule=vacant_rule,
    )
    db.session.add(item)
    db.session.flush()
    return item
