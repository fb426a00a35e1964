"""factory_boy factories and small builders: compounds and the people in them, and the
rows (issues, bills, payments) a test needs as state rather than as a journey. Steps a
user takes through the API are in tests/steps.py."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import factory
from sqlalchemy import select

from server.extensions import db
from server.models import (
    Bill,
    Building,
    CareTag,
    CareVisit,
    Compound,
    FeeItem,
    Household,
    Issue,
    Payment,
    PaymentBill,
    Unit,
    User,
)
from server.services.care import schedule as care_schedule
from server.services.issues import reports
from server.services.money import ledger
from server.services.people import auth, roles
from server.services.people.access import load_principal
from tests.timing import day, month


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
    # Plain ids kept at build time: read after a commit, they touch no ORM object.
    user_ids: dict[str, int] = field(default_factory=dict)
    household_ids: dict[str, int] = field(default_factory=dict)

    def household(self, label: str) -> Household:
        return self.households[label]

    def reporter(self, who: str = "resident_1_1", household: str = "1-1-101") -> tuple[int, int]:
        """(user id, household id) of `who` reporting about `household`: `make_issue`'s."""
        return self.user_ids[who], self.household_ids[household]

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
    world.household_ids = {label: household.id for label, household in households.items()}
    add_person(
        world, "resident_1_1", "resident", households["1-1-101"], relation="owner", name="王秀兰"
    )
    add_person(
        world, "resident_1_2", "resident", households["1-2-101"], relation="owner", name="李建国"
    )
    for i, unit in enumerate(units, start=1):
        add_person(world, f"liaison_1_{i}", "liaison", unit)
    add_person(world, "lead_1", "building_lead", building)
    add_person(world, "committee", "committee", compound)
    add_person(world, "committee_2", "committee", compound)
    add_person(world, "supervisor", "supervisor", compound)
    add_person(world, "outsider", None)
    db.session.flush()
    return world


def add_person(
    world: World, key: str, role: str | None, target=None, *, user: dict | None = None, **grant
) -> User:
    """A new person `key` in `world` holding `role` on `target` (none: no role), with a
    token made now; `user` sets their User fields (nickname, unionid, ...), `grant`
    the role's (relation, name)."""
    person = UserFactory(**{"openid": f"{world.compound.code}-{key}", **(user or {})})
    if role:
        roles.grant(person.id, role, target, **grant)
    world.people[key] = person
    world.tokens[key] = auth.issue_token(person)[0]
    world.openids[key] = person.openid
    world.user_ids[key] = person.id
    db.session.flush()
    return person


def second_account(world: World, who: str, role: str, target) -> str:
    """Another WeChat account of the person `who` (both get one unionid), holding `role`
    on `target`; returns its key in `world`."""
    first = world.people[who]
    first.unionid = first.unionid or f"union-{first.openid}"
    key = f"{who}_second_account"
    add_person(
        world, key, role, target, user={"openid": f"{first.openid}-2", "unionid": first.unionid}
    )
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


def bills_of(world: World, label: str = "1-1-101", **where) -> list[Bill]:
    """The household's bills by period (as stored now), `where` narrowing them
    (period=..., status=...)."""
    return list(
        db.session.scalars(
            select(Bill)
            .where(Bill.household_id == world.household(label).id)
            .filter_by(**where)
            .order_by(Bill.period, Bill.id)
            .execution_options(populate_existing=True)
        )
    )


def bill_of(world: World, label: str = "1-1-101", **where) -> Bill:
    """The household's one bill (of `where`: period=..., ...)."""
    (bill,) = bills_of(world, label, **where)
    return bill


def make_bill(
    world: World,
    label: str = "1-1-101",
    period: str | None = None,
    *,
    amount_fen: int = 2533,
    item: FeeItem | None = None,
    status: str = "unpaid",
) -> Bill:
    """A bill straight in the database (the billing run is not under test): the
    household's self-governance fee for `period` (this month in Shanghai) unless `item`
    is given."""
    household = world.household(label)
    if item is None:
        item = db.session.scalars(
            select(FeeItem).where(
                FeeItem.compound_id == world.compound.id, FeeItem.code == "self_governance"
            )
        ).first() or self_governance_fee(world.compound)
    bill = Bill(
        compound_id=household.compound_id,
        household_id=household.id,
        fee_item_id=item.id,
        period=period or month(0),
        amount_fen=amount_fen,
        status=status,
    )
    db.session.add(bill)
    db.session.flush()
    return bill


_trade_numbers = itertools.count(1)


def make_payment(
    world: World,
    bills: list[Bill],
    status: str = "pending",
    *,
    out_trade_no: str | None = None,
    who: str = "resident_1_1",
    paid_at: datetime | None = None,
    transaction_id: str | None = None,
) -> Payment:
    """A WeChat Pay order for `bills` as the payment service leaves it (the service is
    not under test): the bills held by it, and paid at `paid_at` when it is "paid"."""
    payment = Payment(
        compound_id=world.compound.id,
        household_id=bills[0].household_id,
        payer_id=world.people[who].id,
        out_trade_no=out_trade_no or f"LL-F-{next(_trade_numbers)}",
        total_fen=sum(b.amount_fen for b in bills),
        status=status,
        transaction_id=transaction_id,
        expires_at=day(1),
        paid_at=paid_at,
    )
    db.session.add(payment)
    db.session.flush()
    db.session.add_all(
        PaymentBill(payment_id=payment.id, bill_id=b.id, amount_fen=b.amount_fen) for b in bills
    )
    for bill in bills:
        bill.status, bill.paid_at = ("paid", paid_at) if status == "paid" else ("pending", None)
    db.session.flush()
    return payment


def make_issue(
    reporter_id: int,
    household_id: int | None = None,
    *,
    category: str = "repair",
    title: str = "楼道灯不亮",
    description: str = "三楼楼道灯坏了",
    **fields,
) -> Issue:
    """An issue as the reporting service makes it (its submit event, deadlines and the
    pushes it queues), reported by user `reporter_id` about a household, or about the
    place or for the neighbour `fields` name (unit_id, on_behalf_name, ...); not through
    HTTP. `World.reporter()` gives the two ids."""
    new = reports.NewIssue(category, title, description, household_id=household_id, **fields)
    return reports.report(load_principal(reporter_id), new)


def make_issues(count: int, *reporters: tuple[int, int | None], category="repair") -> list[int]:
    """`count` issues ("事项0", "事项1", ...) reported in turn by each (user id, household
    id), then committed, for tests whose work crosses connections; their ids."""
    ids = [
        make_issue(*reporters[i % len(reporters)], category=category, title=f"事项{i}").id
        for i in range(count)
    ]
    db.session.commit()
    return ids


def fund_money(world: World, fen: int, account: str = "fee:self_governance") -> None:
    """Money in a fund of `world`: one credit in its ledger, as if fees had been paid."""
    ledger.append(
        world.compound.id,
        [ledger.Movement(account, "credit", fen, "correction", 0, "测试：资金入账")],
        None,
    )


def care_tagged(
    world: World, label: str = "1-1-101", tag: str = "elderly_alone", *, sync: bool = True
) -> tuple[Household, CareVisit | None]:
    """Tag a flat as the census does (the tag, then its open care visit, unless `sync`
    is off); the household and that visit. Flushed, not committed."""
    household = db.session.get(Household, world.household_ids[label])
    db.session.add(
        CareTag(
            compound_id=household.compound_id,
            building_id=household.building_id,
            unit_id=household.unit_id,
            household_id=household.id,
            tag=tag,
        )
    )
    db.session.flush()
    return household, (care_schedule.sync_household(household) if sync else None)
