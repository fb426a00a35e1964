"""Reading the desk's forms of the compound pages (名册, 人员, 时限, 记录) through the
API's own input schemas: the same limits and messages, refusals as one Chinese line."""

from __future__ import annotations

import re

from server.console import forms
from server.errors import Forbidden, NotFound
from server.services.people import compounds

DIGITS = re.compile(r"[0-9]{1,9}")


def load(schema, data: dict, labels: dict[str, str] | None = None) -> dict:
    """The compound pages' forms: a field left blank is a field not given."""
    return forms.load(schema, data, labels, drop_blank=True)


def whole_number(text: str | None) -> int | str | None:
    """A number typed in a form ("24", "２４") as an int for a strict schema field;
    anything else as typed, for the schema to refuse in its own words."""
    value = (text or "").strip()
    if not value:
        return None
    digits = value.translate({ord("０") + i: str(i) for i in range(10)})
    return int(digits) if DIGITS.fullmatch(digits) else value


def optional(read):
    """A part of a page the person may not be allowed to see: None then (the service
    decides who may; the page leaves the part out)."""
    try:
        return read()
    except (Forbidden, NotFound):
        return None


def unit_choices(code: str) -> tuple[list[tuple[str, str]], list[tuple[int, str]]]:
    """The compound's units ("1-2", "1号楼2单元") and buildings (1, "1号楼") for a form's
    lists, in order (its structure, no personal data)."""
    structure = compounds.compound_structure(code)
    buildings = sorted(structure.buildings, key=lambda b: b.number)
    units = [
        (f"{b.number}-{u.number}", f"{b.number}号楼{u.number}单元")
        for b in buildings
        for u in sorted(b.units, key=lambda u: u.number)
    ]
    return units, [(b.number, f"{b.number}号楼") for b in buildings]
