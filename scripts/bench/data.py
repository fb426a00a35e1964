"""A deterministic district for benchmarks: 300 compounds, 100,000 households,
1,200,000 bills and 1,000,000 issues at scale 1.0.

    .venv/bin/python -m scripts.bench.data --database-url URL [--scale 1.0] [--seed 1] [--force]

The schema comes from the project's migrations; the database must hold no data
(`--force` drops every table and migrates again). Rows are bulk-inserted with ids
assigned here, compound after compound, and everything follows from the seed.

What there is (counts scale linearly; at least one compound):
- compounds `bd001`, `bd002`... of 5–11 buildings × 2–4 stairwell units × 6 floors ×
  2–3 doors (rooms like the demo's: floor × 100 + door; the last building of a
  compound may be short), 40–140 m², about 4 % vacant;
- one user per role: `bench-r-<household_id>` (resident, owner/tenant/family of the
  household, vacant ones included), `bench-l-<unit_id>` (liaison),
  `bench-c-<code>-<k>` k = 1..3 (committee), `bench-s-<code>` (finance supervisor);
  no building leads, so overdue issues escalate straight to the committee;
- the self-governance fee (0.35 yuan/m²/month, monthly, vacant flats charged) and
  its bills for 2025-12 … 2026-11, amounts from `server.services.money.fees`; 2025-12 …
  2026-10 are paid by WeChat Pay orders of 1–3 consecutive bills each, with their
  ledger entries and a true hash chain (`flask --app server ledger verify` passes);
  2026-11 is unpaid everywhere;
- issues reported over the two years before 2026-11-30 20:00 Asia/Shanghai (the
  district's "now", `ANCHOR`), each with the timeline the app would have written
  (1–5 entries: a fresh submitted issue has only its submit entry), deadlines from
  the default category policies, and those overdue at the anchor escalated once to
  the committee (level 2). Most are closed; some compounds' committees are slow
  (see `backlog`) and pile up submitted, accepted and referred issues. Issue ids
  rise with time within a compound, not across compounds.

Not made: building leads, photos, return visits for closed issues, notifications,
binding requests, offline payments.
"""

from __future__ import annotations

import argparse
import math
import os
import queue
import random
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import flask_migrate
from sqlalchemy import Connection, Engine, MetaData, inspect, select, text

from server import create_app
from server.clock import SHANGHAI
from server.extensions import db
from server.models import Base
from server.services.issues.policies import DEFAULT_POLICIES
from server.services.money.fees import period_fee_fen
from server.services.money.ledger import GENESIS, Movement, entry_hash
from server.services.platform.demo import GABLE_EXTRA, GIVEN, SURNAMES

COMPOUNDS, HOUSEHOLDS, ISSUES = 300, 100_000, 1_000_000  # at scale 1.0
PERIODS = ("2025-12", *(f"2026-{month:02d}" for month in range(1, 12)))
PAID_PERIODS = len(PERIODS) - 1  # the last one stays unpaid
RATE = Decimal("0.35")
RATE_TEXT = str(RATE.quantize(Decimal("0.0001")))  # as the stored rate prints in a bill's basis
ANCHOR = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
HISTORY_DAYS = 730
CHUNK = 5000
MYSQL = {"mysql", "mariadb"}


# ----- loading -----


class Loader:
    """Buffers rows per table and inserts them in chunks, parents first.

    `threaded`: a writer thread inserts while the caller makes the next rows, so the
    database server works while Python does (the connection is then the thread's
    until `close`)."""

    def __init__(self, connection: Connection, *, commit: bool, threaded: bool = False):
        self.connection, self.commit = connection, commit
        self.buffers: dict[str, list[dict]] = {}
        self.counts: dict[str, int] = {}
        self.seconds: dict[str, float] = {}
        self.queue: queue.Queue | None = queue.Queue(maxsize=4) if threaded else None
        self.error: BaseException | None = None
        if self.queue is not None:
            self.writer = threading.Thread(target=self._write_queued, daemon=True)
            self.writer.start()

    def add(self, table: str, row: dict) -> None:
        buffer = self.buffers.setdefault(table, [])
        buffer.append(row)
        if len(buffer) >= CHUNK:
            self.flush(table)

    def flush(self, name: str) -> None:
        table = Base.metadata.tables[name]
        for constraint in table.foreign_key_constraints:
            if constraint.referred_table is not table:
                self.flush(constraint.referred_table.name)
        rows = self.buffers.get(name)
        if not rows:
            return
        self.buffers[name] = []
        if self.queue is None:
            self._insert(name, rows)
            return
        if self.error is not None:
            raise self.error
        self.queue.put((name, rows))

    def close(self) -> None:
        """Insert what is left (all of it, parents first) and wait for the writer."""
        for table in Base.metadata.sorted_tables:
            self.flush(table.name)
        self.stop()
        if self.error is not None:
            raise self.error

    def stop(self) -> None:
        if self.queue is not None and self.writer.is_alive():
            self.queue.put(None)
            self.writer.join()

    def _insert(self, name: str, rows: list[dict]) -> None:
        started = time.perf_counter()
        self.connection.execute(Base.metadata.tables[name].insert(), rows)
        if self.commit:
            self.connection.commit()
        self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started
        self.counts[name] = self.counts.get(name, 0) + len(rows)

    def _write_queued(self) -> None:
        while (item := self.queue.get()) is not None:
            if self.error is None:
                try:
                    self._insert(*item)
                except BaseException as error:  # handed to the caller's thread
                    self.error = error


class Ids:
    """The next id of each table (the database starts empty)."""

    def __init__(self):
        self.last: dict[str, int] = {}

    def take(self, table: str, count: int = 1) -> int:
        first = self.last.get(table, 0) + 1
        self.last[table] = first + count - 1
        return first


class Progress:
    """One stderr line per phase, rewritten at most twice a second."""

    def __init__(self, enabled: bool):
        self.enabled, self.label, self.total, self.done, self.shown = enabled, "", 0, 0, 0.0
        self.started = time.perf_counter()

    def phase(self, label: str, total: int) -> None:
        self.end()
        self.label, self.total, self.done = label, total, 0

    def step(self, count: int = 1) -> None:
        self.done += count
        now = time.perf_counter()
        if self.enabled and now - self.shown > 0.5:
            self.shown = now
            self._show()

    def end(self) -> None:
        if self.enabled and self.label:
            self._show()
            sys.stderr.write("\n")
        self.label = ""

    def _show(self) -> None:
        share = self.done / self.total if self.total else 1.0
        bar = "#" * int(share * 30)
        elapsed = time.perf_counter() - self.started
        sys.stderr.write(
            f"\r{self.label:<8} [{bar:<30}] {self.done:>9,}/{self.total:,} {elapsed:6.0f}s"
        )
        sys.stderr.flush()


@dataclass
class Run:
    counts: dict[str, int]
    seconds: dict[str, float]
    facts: dict[str, object]


# ----- the district's shape -----


@dataclass(slots=True)
class Home:
    id: int
    building_id: int
    unit_id: int
    area: Decimal
    occupied: bool
    where: str  # "3号楼2单元501室"
    resident_id: int = 0


@dataclass(slots=True)
class Stairwell:
    id: int
    building_id: int
    where: str  # "3号楼2单元"
    liaison_id: int = 0


@dataclass
class Place:
    """One compound as the later phases need it."""

    index: int
    id: int
    code: str
    created_at: datetime
    fee_item_id: int
    activity: float  # how much its residents report
    backlog: float  # how slow its volunteers are (1 = typical)
    stairwells: list[Stairwell] = field(default_factory=list)
    homes: list[Home] = field(default_factory=list)
    buildings: dict[int, str] = field(default_factory=dict)  # id → "3号楼"
    committee: list[int] = field(default_factory=list)
    supervisor_id: int = 0


GIVEN_MORE = (
    *GIVEN,
    *("晓明", "海燕", "红梅", "振华", "凤英", "卫东", "丽娟", "建军", "秀英", "宏伟"),
    *("美玲", "永刚", "翠花", "志刚", "雪梅", "国庆", "金凤", "文斌", "亚琴", "树林"),
)
FACTORIES = (
    *("供电局", "自来水公司", "纺织厂", "机床厂", "粮食局", "邮电局", "铁路", "化肥厂"),
    *("棉纺厂", "第一中学", "人民医院", "税务局", "钢铁厂", "煤矿", "农机厂", "食品厂"),
    *("建筑公司", "运输公司", "商业局", "印刷厂", "针织厂", "电机厂", "水泥厂", "五金厂"),
)
ESTATES = ("小区", "家属院", "宿舍", "生活区", "住宅小区")
STREETS = (
    *("坝陵桥", "巨轮", "三桥", "鼓楼", "杨家峪", "涧河", "敦化坊", "职工新街"),
    *("大东关", "中涧河", "杏花岭", "东山"),
)
ROADS = ("胜利街", "新建路", "解放路", "五一路", "府东街", "建设北路", "北大街", "坝陵南街")


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN_MORE)


def split(total: int, parts: int, weights: list[float] | None = None) -> list[int]:
    """`total` over `parts` by weight (largest remainders), adding up exactly."""
    weights = weights or [1.0] * parts
    exact = [total * w / sum(weights) for w in weights]
    shares = [int(x) for x in exact]
    order = sorted(range(parts), key=lambda i: (shares[i] - exact[i], i))
    for i in order[: total - sum(shares)]:
        shares[i] += 1
    return shares


def local(year: int, month: int, day: int, seconds: float = 0) -> datetime:
    """A moment given in Asia/Shanghai, as UTC."""
    moment = datetime(year, month, day, tzinfo=SHANGHAI) + timedelta(seconds=seconds)
    return moment.astimezone(UTC)


# ----- phase 1: compounds, buildings, units, households, people, fee items -----


def tenants(
    loader: Loader, rng: random.Random, ids: Ids, scale: float, bar: Progress
) -> list[Place]:
    count = max(1, round(COMPOUNDS * scale))
    households = max(count, round(HOUSEHOLDS * scale))
    bar.phase("tenants", households)
    places = []
    for index, size in enumerate(split(households, count)):
        place = _compound(loader, rng, ids, index)
        _buildings(loader, rng, ids, place, size)
        _people(loader, rng, ids, place)
        places.append(place)
        bar.step(size)
    return places


def _compound(loader: Loader, rng: random.Random, ids: Ids, index: int) -> Place:
    code = f"bd{index + 1:03d}"
    created = ANCHOR - timedelta(days=HISTORY_DAYS + rng.randint(10, 60), hours=rng.random() * 8)
    place = Place(
        index=index,
        id=ids.take("compounds"),
        code=code,
        created_at=created,
        fee_item_id=ids.take("fee_items"),
        activity=rng.uniform(0.6, 1.4),
        backlog=min(4.0, max(0.3, rng.lognormvariate(0, 0.6))),
    )
    street = rng.choice(STREETS)
    loader.add(
        "compounds",
        {
            "id": place.id,
            "code": code,
            "name": rng.choice(FACTORIES) + rng.choice(ESTATES),
            "address": f"山西省太原市杏花岭区{street}街道{rng.choice(ROADS)}{rng.randint(1, 99)}号",
            "created_at": created,
        },
    )
    loader.add(
        "fee_items",
        {
            "id": place.fee_item_id,
            "compound_id": place.id,
            "code": "self_governance",
            "name": "自治管理费",
            "kind": "per_area",
            "rate": RATE,
            "cycle": "monthly",
            "vacant_rule": "charge",
            "active": True,
        },
    )
    return place


def _layout(rng: random.Random, size: int) -> list[tuple[int, int, int, int, Decimal]]:
    """(building, unit, floor, door, area) of `size` flats: whole buildings until there
    are enough, the last one cut short at the top of its last unit."""
    flats, building = [], 0
    while len(flats) < size:
        building += 1
        units, doors = rng.randint(2, 4), rng.randint(2, 3)
        areas = [Decimal(rng.randint(4000, 13500)).scaleb(-2) for _ in range(doors)]
        for unit in range(1, units + 1):
            for floor in range(1, 7):
                for door in range(1, doors + 1):
                    gable = (unit == 1 and door == 1) or (unit == units and door == doors)
                    area = areas[door - 1] + (GABLE_EXTRA if gable else 0)
                    flats.append((building, unit, floor, door, area))
    return flats[:size]


def _buildings(loader: Loader, rng: random.Random, ids: Ids, place: Place, size: int) -> None:
    buildings: dict[int, int] = {}
    stairwells: dict[tuple[int, int], Stairwell] = {}
    for number, unit_no, floor, door, area in _layout(rng, size):
        if number not in buildings:
            buildings[number] = ids.take("buildings")
            place.buildings[buildings[number]] = f"{number}号楼"
            loader.add(
                "buildings",
                {
                    "id": buildings[number],
                    "compound_id": place.id,
                    "number": number,
                    "name": f"{number}号楼",
                },
            )
        stairwell = stairwells.get((number, unit_no))
        if stairwell is None:
            stairwell = Stairwell(
                ids.take("units"), buildings[number], f"{number}号楼{unit_no}单元"
            )
            stairwells[number, unit_no] = stairwell
            place.stairwells.append(stairwell)
            loader.add(
                "units",
                {
                    "id": stairwell.id,
                    "compound_id": place.id,
                    "building_id": stairwell.building_id,
                    "number": unit_no,
                },
            )
        room = str(floor * 100 + door)
        occupied = rng.random() >= 0.04
        where = f"{stairwell.where}{room}室"
        home = Home(
            ids.take("households"), stairwell.building_id, stairwell.id, area, occupied, where
        )
        place.homes.append(home)
        loader.add(
            "households",
            {
                "id": home.id,
                "compound_id": place.id,
                "building_id": home.building_id,
                "unit_id": home.unit_id,
                "room": room,
                "floor": floor,
                "area_m2": area,
                "occupancy": "occupied" if home.occupied else "vacant",
            },
        )


def _people(loader: Loader, rng: random.Random, ids: Ids, place: Place) -> None:
    def person(openid: str, role: str, scope_key: str, **scope) -> int:
        user_id = ids.take("users")
        name = person_name(rng)
        joined = place.created_at + timedelta(days=rng.uniform(1, 30))
        last_login = ANCHOR - timedelta(days=rng.uniform(0, 90))
        loader.add(
            "users",
            {
                "id": user_id,
                "openid": openid,
                "unionid": None,
                "nickname": name,
                "oa_openid": None,
                "session_key": None,
                "is_active": True,
                "created_at": joined,
                "last_login_at": last_login,
            },
        )
        membership = {"building_id": None, "unit_id": None, "household_id": None}
        membership.update(scope)
        resident = role == "resident"
        relation = rng.choices(("owner", "tenant", "family"), (85, 10, 5))[0]
        loader.add(
            "memberships",
            {
                "id": ids.take("memberships"),
                "user_id": user_id,
                "role": role,
                "scope_key": scope_key,
                "compound_id": place.id,
                **membership,
                "relation": relation if resident else None,
                "name": name if resident else None,
                "granted_by_id": None,
                "created_at": joined,
            },
        )
        return user_id

    for home in place.homes:
        home.resident_id = person(
            f"bench-r-{home.id}",
            "resident",
            f"h:{home.id}",
            building_id=home.building_id,
            unit_id=home.unit_id,
            household_id=home.id,
        )
    for stairwell in place.stairwells:
        stairwell.liaison_id = person(
            f"bench-l-{stairwell.id}",
            "liaison",
            f"u:{stairwell.id}",
            building_id=stairwell.building_id,
            unit_id=stairwell.id,
        )
    key = f"c:{place.id}"
    place.committee = [person(f"bench-c-{place.code}-{k}", "committee", key) for k in range(1, 4)]
    place.supervisor_id = person(f"bench-s-{place.code}", "supervisor", key)


# ----- phase 2: bills, WeChat Pay payments, the ledger -----


def money(loader: Loader, rng: random.Random, ids: Ids, places: list[Place], bar: Progress) -> None:
    bar.phase("bills", sum(len(place.homes) for place in places))
    for place in places:
        _compound_money(loader, rng, ids, place)
        bar.step(len(place.homes))


@dataclass(slots=True)
class Order:
    paid_at: datetime
    position: int  # of the household in its compound
    first: int  # index of the first period paid
    last: int
    id: int = 0


def _pay_moment(rng: random.Random, period: str) -> datetime:
    """Most pay in the first days of the month the bill came out."""
    year, month = (int(part) for part in period.split("-"))
    day = min(28, 1 + int(rng.expovariate(1 / 5)))
    seconds = rng.randint(8 * 3600, 22 * 3600 + 1800) + rng.random()
    return local(year, month, day, seconds)


def _orders(rng: random.Random, place: Place) -> list[Order]:
    """Each household pays the paid periods in orders of 1–3 consecutive bills, in the
    month of the last one, sorted by when the money arrived (the order of their ids)."""
    orders = []
    for position in range(len(place.homes)):
        first = 0
        while first < PAID_PERIODS:
            size = min(PAID_PERIODS - first, rng.choices((1, 2, 3), (60, 25, 15))[0])
            last = first + size - 1
            orders.append(Order(_pay_moment(rng, PERIODS[last]), position, first, last))
            first = last + 1
    orders.sort(key=lambda order: (order.paid_at, order.position))
    return orders


def _compound_money(loader: Loader, rng: random.Random, ids: Ids, place: Place) -> None:
    homes = place.homes
    orders = _orders(rng, place)
    first_payment = ids.take("payments", len(orders))
    for offset, order in enumerate(orders):
        order.id = first_payment + offset
    paid_by: dict[tuple[int, int], Order] = {}
    for order in orders:
        for period in range(order.first, order.last + 1):
            paid_by[order.position, period] = order
    first_bill = ids.take("bills", len(homes) * len(PERIODS))
    fees = [period_fee_fen(home.area, RATE, 1) for home in homes]
    # The monthly job makes them on the 1st at 01:05, a compound every few seconds.
    created = [local(int(p[:4]), int(p[5:]), 1, 3900 + 2 * place.index) for p in PERIODS]
    for position, home in enumerate(homes):
        basis = {"area_m2": str(home.area), "rate": RATE_TEXT, "months": 1}
        for index, period in enumerate(PERIODS):
            order = paid_by.get((position, index))
            loader.add(
                "bills",
                {
                    "id": first_bill + position * len(PERIODS) + index,
                    "compound_id": place.id,
                    "household_id": home.id,
                    "fee_item_id": place.fee_item_id,
                    "period": period,
                    "amount_fen": fees[position],
                    "basis": basis,
                    "status": "paid" if order else "unpaid",
                    "held_by": f"payment:{order.id}" if order else None,
                    "created_at": created[index],
                    "paid_at": order.paid_at if order else None,
                },
            )
    _payments(loader, rng, ids, place, orders, fees, first_bill)


def _payments(
    loader: Loader,
    rng: random.Random,
    ids: Ids,
    place: Place,
    orders: list[Order],
    fees: list[int],
    first_bill: int,
) -> None:
    """The orders, the bills each paid, and one ledger credit per bill as
    settlement.credit writes them."""
    chain = Chain(place.id)
    for order in orders:
        home, fee = place.homes[order.position], fees[order.position]
        payment = _payment(rng, place, home, order, fee * (order.last - order.first + 1))
        loader.add("payments", payment)
        for index in range(order.first, order.last + 1):
            bill_id = first_bill + order.position * len(PERIODS) + index
            loader.add(
                "payment_bills",
                {
                    "id": ids.take("payment_bills"),
                    "payment_id": order.id,
                    "bill_id": bill_id,
                    "amount_fen": fee,
                },
            )
            movement = Movement(
                account="fee:self_governance",
                direction="credit",
                amount_fen=fee,
                source_type="payment",
                source_id=order.id,
                memo=f"bill {bill_id} {PERIODS[index]} WeChat {payment['out_trade_no']}",
            )
            at = order.paid_at + timedelta(microseconds=37 * (index - order.first + 1))
            entry = chain.entry(ids.take("ledger_entries"), movement, home.resident_id, at)
            loader.add("ledger_entries", entry)
    loader.add("ledger_heads", {"compound_id": place.id, "seq": chain.seq, "hash": chain.head})


def _payment(rng: random.Random, place: Place, home: Home, order: Order, total: int) -> dict:
    """A paid WeChat Pay order, its numbers shaped like the real ones (and unique)."""
    opened = order.paid_at - timedelta(seconds=rng.uniform(15, 240))
    opened_local = opened.astimezone(SHANGHAI)
    paid_day = order.paid_at.astimezone(SHANGHAI)
    return {
        "id": order.id,
        "compound_id": place.id,
        "household_id": home.id,
        "payer_id": home.resident_id,
        "out_trade_no": f"LL{opened_local:%Y%m%d%H%M%S}{order.id:016X}",
        "total_fen": total,
        "status": "paid",
        "prepay_id": f"wx{opened_local:%Y%m%d%H%M%S}{order.id:020d}",
        "transaction_id": f"4200{paid_day:%Y%m%d}{order.id:016d}",
        "created_at": opened,
        "expires_at": opened + timedelta(minutes=30),
        "paid_at": order.paid_at,
        "closed_at": None,
        "credited_by": "notify" if rng.random() < 0.98 else "reconcile",
    }


class Chain:
    """A compound's ledger chain, hashed as server.services.money.ledger.append does."""

    def __init__(self, compound_id: int):
        self.compound_id, self.seq, self.head = compound_id, 0, GENESIS

    def entry(self, entry_id: int, movement: Movement, actor_id: int, at: datetime) -> dict:
        self.seq += 1
        digest = entry_hash(self.head, self.compound_id, self.seq, movement, actor_id, at)
        row = {
            "id": entry_id,
            "compound_id": self.compound_id,
            "seq": self.seq,
            "account": movement.account,
            "direction": movement.direction,
            "amount_fen": movement.amount_fen,
            "source_type": movement.source_type,
            "source_id": movement.source_id,
            "actor_id": actor_id,
            "memo": movement.memo,
            "created_at": at,
            "prev_hash": self.head,
            "hash": digest,
        }
        self.head = digest
        return row


# ----- phase 3: issues and their timelines -----

# category|scope|title|description|what the handler wrote when it was done (/-separated)
TEMPLATE_TABLE = """
repair|household|厨房下水道堵了|{where}厨房下水道堵了，水下不去，自己疏通过没用。|已请师傅用疏通机疏通，排水正常。/下水管弯头堵塞，已疏通。
repair|household|卫生间漏水渗到楼下|{where}卫生间地面往楼下渗水，楼下顶棚已经发霉。|已找到漏点，重做了防水。/更换了老化的下水管接头，已不再渗水。
repair|household|暖气片不热|{where}的暖气片上半截不热，家里只有十几度。|已排气，暖气恢复正常。/联系热力公司调整了阀门，已恢复供暖。
repair|household|入户水管阀门漏水|{where}入户水管阀门处一直滴水，水表走得很快。|已更换入户阀门。
repair|household|窗户玻璃破裂|{where}北面窗户玻璃被风刮裂了，担心掉下去砸到人。|已更换玻璃。
repair|unit|楼道灯不亮|{where}{floor}楼楼道灯不亮了，晚上上下楼看不清，老人容易摔倒。|已更换声控灯，恢复照明。/线路接触不良，已重新接线。
repair|unit|单元门禁坏了|{where}单元门禁刷卡没反应，门一直关不上。|已更换门禁电源模块，刷卡正常。/已修好闭门器和电磁锁。
repair|unit|楼梯扶手松动|{where}{floor}楼的楼梯扶手松动，一扶就晃。|已重新固定扶手。
repair|unit|楼道窗户玻璃碎了|{where}{floor}楼楼道窗户玻璃碎了，冬天风直往里灌。|已更换楼道窗户玻璃。
repair|building|楼顶漏雨|{where}顶层住户反映一下雨就漏，楼顶防水层已经开裂。|已对楼顶破损处做了防水修补。
repair|building|外墙皮脱落|{where}北面外墙皮大块脱落，下面是人行道。|已清理松动墙皮并设置警示，维修基金申请已提交。
repair|building|雨水管断裂|{where}东侧雨水管断了，下雨时水直接冲到墙上。|已更换断裂的雨水管。
repair|compound|小区路灯不亮|小区{spot}有几盏路灯不亮了，晚上回来黑乎乎的。|已更换路灯灯头。/已修复路灯线路。
repair|compound|大门道闸坏了|小区大门道闸抬不起来，车辆进出要人工开。|已联系厂家维修道闸。
repair|compound|路面塌陷积水|小区{spot}路面塌了一个坑，下雨全是积水。|已回填平整路面。
hazard|unit|楼道堆放杂物|{where}楼道里堆了很多纸箱和旧家具，堵住了消防通道。|已联系住户清理楼道杂物。
hazard|unit|电动车在楼道充电|{where}有人把电动车推进楼道充电，电线从窗户拉出来，很危险。|已劝导住户到充电桩充电，楼道已清理。
hazard|unit|楼道电线老化裸露|{where}{floor}楼电表箱旁边的电线外皮破了，铜线露在外面。|已请电工更换老化电线。
hazard|building|空调外机支架锈蚀|{where}有户空调外机支架锈得厉害，下面是过道，怕掉下来。|已通知住户加固支架。
hazard|compound|消防通道被占|小区消防通道长期停着私家车，消防车进不来。|已联系车主挪车并划了禁停线。
hazard|compound|井盖破损|小区{spot}的井盖破了一个角，晚上容易踩空。|已更换井盖。
hazard|compound|枯树有倒伏危险|小区{spot}那棵老杨树已经枯了，刮风时摇得厉害。|已联系园林部门修剪枯枝。
dispute|household|楼上噪音扰民|{where}楼上每天晚上十一点以后还在剁东西、拖椅子，老人睡不着。|已上门沟通，双方达成谅解。
dispute|household|漏水赔偿纠纷|{where}被楼上漏水泡坏了吊顶，楼上不愿意赔偿。|经调解，楼上住户同意承担维修费用。
dispute|unit|占用公共楼道|{where}{floor}楼住户在楼道里装了铁门，占了公共楼道。|经协调，住户已拆除铁门。
dispute|compound|车位占用纠纷|小区里有人用地锁占车位，经常为停车吵架。|业委会已协商停车规则并张贴公示。
dispute|compound|广场舞噪音|小广场跳舞音响声音太大，晚上九点以后还在放。|已与跳舞队协商，音量调小并九点前结束。
care|household|独居老人需要帮助|{where}住着一位八十多岁的独居老人，最近腿脚不方便，买菜都困难。|联络人已上门看望，并联系社区安排助餐服务。
care|household|老人行动不便需要帮忙|{where}家里老人刚做完手术，需要有人帮忙取药。|已安排志愿者每周帮忙取药。
care|household|困难家庭申请帮扶|{where}家里有人长期生病，生活比较困难，想问问能不能申请帮扶。|已协助向社区申请临时救助。
suggestion|compound|建议增设电动车充电桩|小区电动车越来越多，建议在车棚增设充电桩，避免在楼道充电。|业委会已讨论并联系供电部门安装充电桩。
suggestion|compound|建议每月公开收支明细|建议业委会每月在公告栏公开收支明细，大家交费也更放心。|已在公告栏和小程序公开每月收支。
suggestion|compound|建议安装健身器材|小广场空着，建议安装一些健身器材，方便老人锻炼。|已向街道申请健身器材。
suggestion|compound|建议增加垃圾分类点|垃圾站离后排楼太远，建议在后排增加一个垃圾分类投放点。|已增设垃圾分类投放点。
suggestion|building|建议楼下增设晾衣架|{where}楼下空地可以装几个晾衣架，方便大家晒被子。|已在楼下安装晾衣架。
suggestion|unit|建议楼道换成感应灯|{where}楼道灯老是忘关，建议换成人体感应灯，省电。|已更换为感应灯。
other|compound|快递乱堆放|小区门口快递堆在地上，经常丢件。|已协调设置快递存放点。
other|compound|流浪狗太多|小区里流浪狗越来越多，晚上叫个不停，还吓到孩子。|已联系动物救助站处理。
other|unit|楼道小广告|{where}楼道墙上贴满了开锁、通下水道的小广告。|已组织清理小广告。
other|household|咨询房屋维修基金|{where}想问一下房屋维修基金怎么查询和申请使用。|已向居民解释维修基金的查询和申请流程。
"""
TEMPLATES = tuple(
    (*line.split("|")[:4], tuple(line.split("|")[4].split("/")))
    for line in TEMPLATE_TABLE.strip().splitlines()
)
CATEGORY_WEIGHTS = {
    "repair": 45,
    "hazard": 15,
    "dispute": 10,
    "care": 8,
    "suggestion": 12,
    "other": 10,
}
BY_CATEGORY = {c: [t for t in TEMPLATES if t[0] == c] for c in CATEGORY_WEIGHTS}
SPOTS = ("东门口", "垃圾站旁", "车棚边", "小广场", "北门内", "锅炉房后面")
EXTRAS = (
    "已经好几天了。",
    "麻烦尽快处理，谢谢！",
    "家里有老人和小孩，很不方便。",
    "之前跟邻居说过，一直没人管。",
    "联络人方便的时候来看一下。",
)
ACCEPT_NOTES = (
    "收到，马上安排人去看。",
    "已联系维修师傅，明天上午上门。",
    "已记录，今天下午处理。",
)
FEEDBACK_GOOD = ("师傅很负责，谢谢！", "处理得很及时。", "问题解决了，感谢联络人。", "谢谢业委会！")
FEEDBACK_POOR = ("等了很久才来人。", "修得不彻底，凑合用吧。")
REJECT_REASONS = (
    "属于户内维修，请自行联系维修师傅。",
    "不属于小区自治范围，已告知居民向有关部门反映。",
    "经现场核实，情况与描述不符。",
    "居民已自行解决，撤回报事。",
)
REFERRAL_BODIES = {
    "repair": ("太原供电公司杏花岭供电部", "太原市自来水公司", "太原市热力公司", "区房管局"),
    "hazard": ("12345市民热线", "区消防救援大队", "太原供电公司杏花岭供电部", "区城管局"),
    "dispute": ("社区居委会", "街道司法所人民调解委员会", "辖区派出所"),
    "care": ("社区居委会", "街道民政办", "区残联"),
    "suggestion": ("街道办事处", "社区居委会", "12345市民热线"),
    "other": ("区城管局", "12345市民热线", "社区居委会"),
}
REFER_SHARE = {
    "repair": 0.15,
    "hazard": 0.25,
    "dispute": 0.2,
    "care": 0.2,
    "suggestion": 0.1,
    "other": 0.15,
}
AUTO_CLOSE_NOTE = "7 天内未确认，系统自动完成"  # as issues.closing.auto_close_due writes it
OPEN = ("submitted", "accepted", "referred")


@dataclass(slots=True)
class Step:
    at: datetime
    action: str
    to: str
    actor: int | None
    role: str | None  # None for the system's moves
    note: str | None = None
    extra: dict | None = None


def issues(
    loader: Loader, rng: random.Random, ids: Ids, places: list[Place], scale: float, bar: Progress
) -> dict[str, int]:
    """Every compound's issues; returns how many each has left submitted."""
    total = round(ISSUES * scale)
    bar.phase("issues", total)
    weights = [len(place.homes) * place.activity for place in places]
    submitted = {}
    for place, count in zip(places, split(total, len(places), weights), strict=True):
        reporter = Reporting(loader, rng, ids, place)
        for created in sorted(reporter.moment() for _ in range(count)):
            reporter.issue(created)
            bar.step()
        submitted[place.code] = reporter.submitted
    return submitted


class Reporting:
    """One compound's issues, oldest first (so ids rise with time)."""

    def __init__(self, loader: Loader, rng: random.Random, ids: Ids, place: Place):
        self.loader, self.rng, self.ids, self.place = loader, rng, ids, place
        self.residents = [home for home in place.homes if home.occupied] or place.homes
        self.stairwells = {stairwell.id: stairwell for stairwell in place.stairwells}
        self.liaisons: dict[int, list[int]] = {}
        for stairwell in place.stairwells:
            self.liaisons.setdefault(stairwell.building_id, []).append(stairwell.liaison_id)
        self.originals: list[tuple[int, str]] = []  # recent issues another may duplicate
        self.submitted = 0

    def moment(self) -> datetime:
        """When an issue was reported: more often lately (more residents signed up),
        mostly in the daytime."""
        rng = self.rng
        recent = -0.5 + math.sqrt(0.25 + 2 * rng.random())  # density 0.5 + x on [0, 1]
        day = ANCHOR.astimezone(SHANGHAI).replace(hour=0, minute=0, second=0)
        hour = rng.uniform(7, 22.5) if rng.random() < 0.92 else rng.uniform(0, 24)
        day -= timedelta(days=int((1 - recent) * HISTORY_DAYS))
        moment = (day + timedelta(hours=hour)).astimezone(UTC)
        if moment > ANCHOR:
            moment = ANCHOR - timedelta(seconds=rng.uniform(60, 3 * 3600))
        return moment

    def issue(self, created: datetime) -> None:
        rng = self.rng
        category = rng.choices(list(CATEGORY_WEIGHTS), list(CATEGORY_WEIGHTS.values()))[0]
        _, scope, title, body, fixes = rng.choice(BY_CATEGORY[category])
        home = rng.choice(self.residents)
        stairwell = self.stairwells[home.unit_id]
        where = {
            "household": home.where,
            "unit": stairwell.where,
            "building": self.place.buildings[home.building_id],
        }.get(scope, "小区")
        on_behalf = scope == "household" and rng.random() < (0.25 if category == "care" else 0.02)
        reporter = None if on_behalf else home.resident_id
        filer = (stairwell.liaison_id, "liaison") if on_behalf else (home.resident_id, "resident")
        fate = self._fate((ANCHOR - created).total_seconds() / 86400)
        original = self._original(category) if fate == "duplicate" else None
        if fate == "duplicate" and original is None:
            fate = "closed"
        steps = self._steps(fate, created, category, fixes, filer, self._handler(scope, home))
        if original is not None:
            steps[-1].extra, steps[-1].note = {"duplicate_of": original}, f"与 #{original} 重复"
        row = {
            "id": self.ids.take("issues"),
            "compound_id": self.place.id,
            "building_id": None if scope == "compound" else home.building_id,
            "unit_id": home.unit_id if scope in ("household", "unit") else None,
            "household_id": home.id if scope == "household" else None,
            "category": category,
            "title": title,
            "description": self._description(body, where),
            "show_name": rng.random() < 0.3,
            "reporter_id": reporter,
            "filed_by_id": filer[0],
            "on_behalf_name": person_name(rng) if on_behalf else None,
            "reopen_count": 0,
        }
        self._write(row, steps)
        if fate not in ("rejected", "duplicate"):
            self.originals = [*self.originals[-59:], (row["id"], category)]

    def _description(self, body: str, where: str) -> str:
        rng = self.rng
        text = body.format(where=where, floor=rng.randint(1, 6), spot=rng.choice(SPOTS))
        return text + "".join(rng.sample(EXTRAS, rng.choice((0, 0, 1, 1, 2))))

    def _fate(self, age_days: float) -> str:
        """Where the issue would end: most close; slow committees leave some stuck
        (more of those among recent issues: old ones were dealt with in the end)."""
        stuck = self.place.backlog * (0.25 + 0.75 * math.exp(-age_days / 90))
        r = self.rng.random()
        for fate, share in (
            ("submitted", 0.03 * stuck),
            ("accepted", 0.02 * stuck),
            ("referred", 0.02 * stuck),
            ("rejected", 0.03),
            ("duplicate", 0.02),
        ):
            if r < share:
                return fate
            r -= share
        return "closed"

    def _original(self, category: str) -> int | None:
        same = [issue_id for issue_id, c in self.originals if c == category]
        pool = same or [issue_id for issue_id, _ in self.originals]
        return self.rng.choice(pool[-10:]) if pool else None

    def _handler(self, scope: str, home: Home) -> tuple[int, str]:
        """The unit's liaison (or a liaison of the building) mostly; the committee for
        common areas and now and then elsewhere."""
        rng = self.rng
        if scope in ("household", "unit") and rng.random() < 0.8:
            return self.stairwells[home.unit_id].liaison_id, "liaison"
        if scope == "building" and rng.random() < 0.6:
            return rng.choice(self.liaisons[home.building_id]), "liaison"
        return rng.choice(self.place.committee), "committee"

    def _steps(self, fate, created, category, fixes, filer, handler) -> list[Step]:
        """The whole life the issue would have, ignoring the anchor."""
        rng, policy = self.rng, DEFAULT_POLICIES[category]
        steps = [Step(created, "submit", "submitted", *filer)]
        if fate == "submitted":
            return steps
        late = rng.random() < 0.15
        hours = policy.accept_hours * (rng.uniform(1, 3) if late else rng.uniform(0.05, 0.9))
        at = created + timedelta(hours=hours)
        if fate in ("rejected", "duplicate") and rng.random() < 0.7:
            return [*steps, self._dismissal(fate, at, handler)]
        note = rng.choice(ACCEPT_NOTES) if rng.random() < 0.5 else None
        steps.append(Step(at, "accept", "accepted", *handler, note, {"track": "onsite"}))
        if fate in ("rejected", "duplicate"):
            return [
                *steps,
                self._dismissal(fate, at + timedelta(hours=rng.uniform(1, 48)), handler),
            ]
        if fate == "referred" or rng.random() < REFER_SHARE[category]:
            at += timedelta(hours=rng.uniform(0.5, 48))
            steps.append(self._referral(at, category, handler))
        if fate in ("accepted", "referred"):
            return steps
        slow = rng.random() < 0.15
        at += timedelta(
            days=policy.resolve_days * (rng.uniform(1, 2) if slow else rng.uniform(0.03, 0.9))
        )
        steps.append(Step(at, "resolve", "resolved", *handler, rng.choice(fixes)))
        return [*steps, self._closing(at, filer)]

    def _dismissal(self, fate: str, at: datetime, handler) -> Step:
        if fate == "rejected":
            return Step(at, "reject", "rejected", *handler, self.rng.choice(REJECT_REASONS))
        return Step(at, "mark_duplicate", "duplicate", *handler)

    def _referral(self, at: datetime, category: str, handler) -> Step:
        rng = self.rng
        body = rng.choice(REFERRAL_BODIES[category])
        day = at.astimezone(SHANGHAI).date()
        title = rng.choice(("师傅", "工", "主任", "科长"))
        extra = {
            "referral_body": body,
            "referral_contact": f"{rng.choice(SURNAMES)}{title} 1{rng.choice('3589')}"
            f"{rng.randint(0, 999_999_999):09d}",
            "referral_ref": f"GD{day:%Y%m%d}{rng.randint(0, 9999):04d}",
            "follow_up_on": (day + timedelta(days=rng.randint(3, 14))).isoformat(),
        }
        return Step(at, "refer", "referred", *handler, f"已转{body}处理", extra)

    def _closing(self, resolved: datetime, filer) -> Step:
        rng = self.rng
        if rng.random() < 0.4:
            at = resolved + timedelta(days=7, seconds=rng.uniform(1, 900))
            return Step(at, "auto_close", "closed", None, None, AUTO_CLOSE_NOTE)
        rating = rng.choices((5, 4, 3, 2, 1), (55, 28, 10, 4, 3))[0]
        feedback = None
        if rng.random() < 0.4:
            feedback = rng.choice(FEEDBACK_GOOD if rating >= 4 else FEEDBACK_POOR)
        at = resolved + timedelta(hours=rng.uniform(0.2, 156))
        return Step(at, "confirm", "closed", *filer, feedback, {"rating": rating})

    def _write(self, row: dict, steps: list[Step]) -> None:
        """Keep what had happened by the anchor; the issue's columns follow from it."""
        kept = [step for step in steps if step.at <= ANCHOR]
        _settle(row, kept)
        if row["status"] in OPEN:
            kept = self._escalation(row, kept)
        if row["status"] == "submitted":
            self.submitted += 1
        first = self.ids.take("issue_events", len(kept))
        row["last_event_id"] = first + len(kept) - 1
        self.loader.add("issues", row)
        before = None
        for offset, step in enumerate(kept):
            data = dict(step.extra or {})
            if step.role:
                data["actor_role"] = step.role
            self.loader.add(
                "issue_events",
                {
                    "id": first + offset,
                    "issue_id": row["id"],
                    "compound_id": row["compound_id"],
                    "actor_id": step.actor,
                    "action": step.action,
                    "from_status": before if step.action != "escalate" else step.to,
                    "to_status": step.to,
                    "note": step.note,
                    "data": data or None,
                    "created_at": step.at,
                },
            )
            before = step.to

    def _escalation(self, row: dict, kept: list[Step]) -> list[Step]:
        """An issue overdue at the anchor was raised to the committee by the job
        (no building leads: straight to level 2) within 15 minutes of its deadline."""
        due = row["response_due_at" if row["status"] == "submitted" else "resolution_due_at"]
        at = due + timedelta(seconds=self.rng.uniform(1, 900))
        if at > ANCHOR:
            return kept
        row.update(escalation_level=2, escalated_at=at)
        earlier = [step for step in kept if step.at <= at]
        step = Step(at, "escalate", earlier[-1].to, None, None, None, {"level": 2})
        return [*earlier, step, *kept[len(earlier) :]]


def _settle(row: dict, kept: list[Step]) -> None:
    """The issue's status, deadlines and the rest, from the timeline it has."""
    policy = DEFAULT_POLICIES[row["category"]]
    created = kept[0].at
    row.update(
        status=kept[-1].to,
        track=None,
        handler_id=None,
        referral_body=None,
        referral_contact=None,
        referral_ref=None,
        follow_up_on=None,
        rating=None,
        feedback=None,
        reject_reason=None,
        duplicate_of_id=None,
        escalation_level=0,
        response_due_at=created + timedelta(hours=policy.accept_hours),
        resolution_due_at=created + timedelta(days=policy.resolve_days),
        created_at=created,
        accepted_at=None,
        resolved_at=None,
        closed_at=None,
        escalated_at=None,
    )
    for step in kept:
        _apply(row, step, policy.resolve_days)


def _apply(row: dict, step: Step, resolve_days: int) -> None:
    """What an action sets on the issue, as issues.flow does."""
    extra = step.extra or {}
    if step.action == "accept":
        row.update(track="onsite", handler_id=step.actor, accepted_at=step.at)
        row["resolution_due_at"] = step.at + timedelta(days=resolve_days)
    elif step.action == "refer":
        row.update(track="referral", handler_id=row["handler_id"] or step.actor)
        row.update(
            referral_body=extra["referral_body"],
            referral_contact=extra["referral_contact"],
            referral_ref=extra["referral_ref"],
            follow_up_on=date.fromisoformat(extra["follow_up_on"]),
        )
    elif step.action == "resolve":
        row.update(resolved_at=step.at, handler_id=row["handler_id"] or step.actor)
    elif step.action == "confirm":
        row.update(rating=extra["rating"], feedback=step.note, closed_at=step.at)
    elif step.action == "auto_close":
        row["closed_at"] = step.at
    elif step.action == "reject":
        row["reject_reason"] = step.note
    elif step.action == "mark_duplicate":
        row["duplicate_of_id"] = extra["duplicate_of"]


# ----- running it -----


def generate(target: Connection | Engine, scale: float = 1.0, seed: int = 1) -> dict[str, int]:
    """Load the district into an empty, migrated database; returns rows per table.

    Given an engine, commits chunk by chunk; given a connection, leaves the commit
    to the caller."""
    return load(target, scale, seed).counts


def load(target: Connection | Engine, scale: float, seed: int, progress: bool = False) -> Run:
    """`generate`, with the seconds spent inserting into each table and a few facts."""
    if isinstance(target, Engine):
        with target.connect() as connection:
            return _load(connection, scale, seed, progress, commit=True)
    return _load(target, scale, seed, progress, commit=False)


def _load(connection: Connection, scale: float, seed: int, progress: bool, commit: bool) -> Run:
    mysql = connection.dialect.name in MYSQL
    if mysql:
        connection.exec_driver_sql("SET SESSION foreign_key_checks=0, unique_checks=0")
    try:
        # Not for secrets: the same seed must give the same district.
        base = random.Random(seed)  # noqa: S311
        streams = [random.Random(base.getrandbits(64)) for _ in range(3)]  # noqa: S311
        loader = Loader(connection, commit=commit, threaded=mysql)
        ids, bar = Ids(), Progress(progress)
        try:
            places = tenants(loader, streams[0], ids, scale, bar)
            money(loader, streams[1], ids, places, bar)
            submitted = issues(loader, streams[2], ids, places, scale, bar)
            loader.close()
        finally:
            loader.stop()
            bar.end()
    finally:
        if mysql:
            connection.exec_driver_sql("SET SESSION foreign_key_checks=1, unique_checks=1")
    busiest = max(submitted, key=lambda code: (submitted[code], code))
    facts = {"most_submitted": (busiest, submitted[busiest])}
    return Run(loader.counts, loader.seconds, facts)


def rows_held(engine: Engine) -> list[str]:
    """The tables the generator writes that already hold rows."""
    existing = set(inspect(engine).get_table_names())
    held = []
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            probe = select(text("1")).select_from(table).limit(1)
            if table.name in existing and connection.execute(probe).first() is not None:
                held.append(table.name)
    return held


def drop_everything(engine: Engine) -> None:
    """Drop every table, alembic_version included."""
    metadata = MetaData()
    metadata.reflect(bind=engine)
    with engine.begin() as connection:
        if engine.dialect.name in MYSQL:
            connection.exec_driver_sql("SET SESSION foreign_key_checks=0")
        metadata.drop_all(connection)
        if engine.dialect.name in MYSQL:
            connection.exec_driver_sql("SET SESSION foreign_key_checks=1")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.bench.data",
        description="Load a deterministic district (300 compounds at scale 1.0) for benchmarks.",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL"),
        help="an empty database (default: DATABASE_URL)",
    )
    parser.add_argument(
        "--scale", type=float, default=1.0, help="1.0: 300 compounds, 100,000 households"
    )
    parser.add_argument("--seed", type=int, default=1, help="the same seed, the same data")
    parser.add_argument(
        "--force", action="store_true", help="drop every table and migrate again first"
    )
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("give --database-url or set DATABASE_URL")
    if args.scale <= 0:
        parser.error("--scale must be positive")
    app = create_app({"DATABASE_URL": args.database_url})
    with app.app_context():
        try:
            return _migrate_and_load(args)
        finally:
            db.engine.dispose()


def _migrate_and_load(args: argparse.Namespace) -> int:
    held = rows_held(db.engine)
    if held and not args.force:
        print(
            f"refusing: the database already holds data ({', '.join(held[:3])}"
            f"{f' and {len(held) - 3} more tables' if len(held) > 3 else ''});"
            " --force drops and recreates every table",
            file=sys.stderr,
        )
        return 1
    if args.force:
        drop_everything(db.engine)
    started = time.perf_counter()
    flask_migrate.upgrade()
    migrated = time.perf_counter() - started
    run = load(db.engine, args.scale, args.seed, progress=True)
    _report(run, migrated, time.perf_counter() - started)
    return 0


def _report(run: Run, migrated: float, total: float) -> None:
    print(f"{'table':<16} {'rows':>10} {'seconds':>8}")
    for table in Base.metadata.sorted_tables:
        if table.name in run.counts:
            rows, seconds = run.counts[table.name], run.seconds[table.name]
            print(f"{table.name:<16} {rows:>10,} {seconds:>8.1f}")
    inserting = sum(run.seconds.values())
    print(f"{'(migrations)':<16} {'':>10} {migrated:>8.1f}")
    # On MariaDB a writer thread inserts while rows are made: what is left of the total
    # is the time it waited for rows.
    print(f"{'(making rows)':<16} {'':>10} {total - migrated - inserting:>8.1f}")
    print(f"{'total':<16} {sum(run.counts.values()):>10,} {total:>8.1f}")
    code, count = run.facts["most_submitted"]
    print(f"most submitted issues: {code} ({count}); its committee: bench-c-{code}-1..3")


if __name__ == "__main__":
    sys.exit(main())
