"""What a roster file would do to a compound: buildings, units and flats to create,
flats to update (directly, or after a second committee member confirms: area and
vacancy change what residents owe; floor, note, 自住/出租 and 产权人编号 at once), flats
the file leaves out (they stay), and the report people read. Reads the compound's tree
in one query per level; writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from server.extensions import db
from server.labels import label
from server.models import Bill, Building, Compound, Household, Membership, Unit
from server.services.governance.roster_rows import ParsedRoster, RosterRow

# A flat's fields as the report names them (old_*/new_*).
FIELDS = ("area_m2", "occupancy", "tenure", "floor", "note", "owner_key")
# Changing these changes what residents owe: they wait for a second committee member.
MONEY_FIELDS = ("area_m2", "occupancy")


@dataclass
class Existing:
    """A flat the compound has, as the plan compares it."""

    id: int
    area_m2: Decimal
    occupancy: str
    tenure: str | None
    floor: int
    note: str | None
    owner_key: str | None


@dataclass
class Plan:
    compound: Compound
    parsed: ParsedRoster
    buildings: dict[int, int] = field(default_factory=dict)  # number → id
    units: dict[tuple[int, int], int] = field(default_factory=dict)  # (b, u) → id
    new_buildings: list[int] = field(default_factory=list)
    new_units: list[tuple[int, int]] = field(default_factory=list)
    creates: list[RosterRow] = field(default_factory=list)
    direct: list[dict] = field(default_factory=list)  # bulk UPDATE rows (with "id")
    pending: list[dict] = field(default_factory=list)  # what the approval carries
    changes: list[dict] = field(default_factory=list)
    unchanged: int = 0
    missing: list[dict] = field(default_factory=list)
    owner_keys: list[str] = field(default_factory=list)  # labels whose 产权人编号 changes

    def report(self) -> dict:
        """What a person reads: counts, the changes, the flats left out, the problems."""
        return {
            "rows": self.parsed.count,
            "buildings": {"create": len(self.new_buildings)},
            "units": {"create": len(self.new_units)},
            "households": {
                "create": len(self.creates),
                "update": len(self.changes),
                "unchanged": self.unchanged,
            },
            "pending": len(self.pending),
            "changes": self.changes,
            "missing": self.missing,
            "problems": [p.as_dict() for p in self.parsed.problems],
        }

    def counts(self) -> dict:
        """The counts a RosterImport keeps."""
        return {
            "buildings": {"create": len(self.new_buildings)},
            "units": {"create": len(self.new_units)},
            "households": {
                "create": len(self.creates),
                "update": len(self.changes),
                "unchanged": self.unchanged,
                "missing": len(self.missing),
            },
            "pending_changes": len(self.pending),
            "owner_key_changes": len(self.owner_keys),
        }


def make_plan(compound: Compound, parsed: ParsedRoster) -> Plan:
    """Compare the file's flats with the compound's."""
    plan = Plan(compound, parsed)
    plan.buildings, plan.units = tree(compound.id)
    flats = existing_flats(compound.id)
    named: set[tuple[int, int, str]] = set()
    for row in parsed.rows:
        named.add(row.key)
        if row.building not in plan.buildings and row.building not in plan.new_buildings:
            plan.new_buildings.append(row.building)
        unit = (row.building, row.unit)
        if unit not in plan.units and unit not in plan.new_units:
            plan.new_units.append(unit)
        old = flats.get(row.key)
        if old is None:
            plan.creates.append(row)
        else:
            _compare(plan, row, old)
    plan.missing = _missing(compound.id, {k: v for k, v in flats.items() if k not in named})
    return plan


def tree(compound_id: int) -> tuple[dict[int, int], dict[tuple[int, int], int]]:
    """The compound's buildings (number → id) and units ((building, unit) → id)."""
    buildings = dict(
        db.session.execute(
            select(Building.number, Building.id).where(Building.compound_id == compound_id)
        ).all()
    )
    units = {
        (b, u): uid
        for uid, b, u in db.session.execute(
            select(Unit.id, Building.number, Unit.number)
            .join(Building, Building.id == Unit.building_id)
            .where(Unit.compound_id == compound_id)
        )
    }
    return buildings, units


def existing_flats(compound_id: int) -> dict[tuple[int, int, str], Existing]:
    rows = db.session.execute(
        select(
            Building.number,
            Unit.number,
            Household.room,
            Household.id,
            Household.area_m2,
            Household.occupancy,
            Household.tenure,
            Household.floor,
            Household.note,
            Household.owner_key,
        )
        .join(Unit, Unit.id == Household.unit_id)
        .join(Building, Building.id == Unit.building_id)
        .where(Household.compound_id == compound_id)
    )
    return {(b, u, room): Existing(*rest) for b, u, room, *rest in rows}


def _compare(plan: Plan, row: RosterRow, old: Existing) -> None:
    occupancy = row.occupancy or old.occupancy
    new = {
        "area_m2": row.area,
        "occupancy": occupancy,
        "tenure": row.tenure if row.occupancy else old.tenure,
        "floor": row.floor if row.floor is not None else old.floor,
        "note": row.note if row.note_given else old.note,
        "owner_key": row.owner_key if row.owner_key_given else old.owner_key,
    }
    changed = {key for key in FIELDS if new[key] != getattr(old, key)}
    if not changed:
        plan.unchanged += 1
        return
    waits = bool(changed & set(MONEY_FIELDS))
    change = {"label": row.label, "needs_confirmation": waits}
    for key in FIELDS:
        change[f"old_{key}"] = _shown(getattr(old, key))
        change[f"new_{key}"] = _shown(new[key])
    plan.changes.append(change)
    direct = {key: new[key] for key in ("floor", "note", "owner_key") if key in changed}
    if "owner_key" in changed:
        plan.owner_keys.append(row.label)
    if "tenure" in changed and "occupancy" not in changed:
        direct["tenure"] = new["tenure"]
    if direct:
        plan.direct.append({"id": old.id, **direct})
    if waits:
        plan.pending.append(
            {
                "id": old.id,
                "label": row.label,
                "old_area_m2": str(old.area_m2),
                "new_area_m2": str(new["area_m2"]),
                "old_occupancy": old.occupancy,
                "new_occupancy": occupancy,
                "new_tenure": new["tenure"],
            }
        )


def _shown(value):
    return str(value) if isinstance(value, Decimal) else value


def _missing(compound_id: int, left_out: dict[tuple[int, int, str], Existing]) -> list[dict]:
    """Flats the file does not name: they stay; whether they have bills or people tells
    the committee whether leaving them out was a slip."""
    if not left_out:
        return []
    billed = set(
        db.session.scalars(select(Bill.household_id).where(Bill.compound_id == compound_id))
    )
    lived = set(
        db.session.scalars(
            select(Membership.household_id).where(
                Membership.compound_id == compound_id, Membership.role == "resident"
            )
        )
    )
    return [
        {
            "label": f"{b}-{u}-{room}",
            "occupancy": flat.occupancy,
            "has_bills": flat.id in billed,
            "has_people": flat.id in lived,
        }
        for (b, u, room), flat in sorted(left_out.items(), key=lambda kv: _order(kv[0]))
    ]


def _order(key: tuple[int, int, str]) -> tuple:
    b, u, room = key
    return b, u, len(room), room


def describe(pending: dict) -> str:
    """One flat's waiting change in words: "1-1-101 面积 72.36→80.00 m²，有人住→空置"."""
    parts = []
    if pending["old_area_m2"] != pending["new_area_m2"]:
        parts.append(f"面积 {pending['old_area_m2']}→{pending['new_area_m2']} m²")
    if pending["old_occupancy"] != pending["new_occupancy"]:
        old, new = (label("occupancy", pending[k]) for k in ("old_occupancy", "new_occupancy"))
        parts.append(f"{old}→{new}")
    return f"{pending['label']} " + "，".join(parts)
