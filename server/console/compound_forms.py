"""Reading the desk's forms of the compound pages (名册, 人员, 时限, 记录) through the
API's own input schemas: the same limits and messages, refusals as one Chinese line."""

from __future__ import annotations

import re

from marshmallow import Schema, ValidationError

from server.errors import Forbidden, NotFound, ValidationFailed
from server.services.people import compounds

DIGITS = re.compile(r"[0-9]{1,9}")
MESSAGES = (
    ("Missing data for required field.", "必须填写"),
    ("Field may not be null.", "必须填写"),
    ("Not a valid date.", "日期格式不对，请按 年-月-日 填写"),
    ("Not a valid integer.", "应为整数"),
    ("Must be greater than or equal to", None),
    ("Must be one of", "请从列表中选择"),
    ("String does not match expected pattern.", "格式不对"),
)


def load(schema: type[Schema], data: dict, labels: dict[str, str] | None = None) -> dict:
    """`data` (blank fields left out) through the API's input schema; its refusal as
    one Chinese message naming the field ("任期结束：日期格式不对")."""
    data = {k: v for k, v in data.items() if v is not None and v != ""}
    try:
        return schema().load(data)
    except ValidationError as error:
        raise ValidationFailed(message(error.messages, labels or {})) from error


def message(messages, labels: dict[str, str]) -> str:
    parts = []
    for field, problems in messages.items() if isinstance(messages, dict) else []:
        parts.append(f"{labels.get(field, field)}：{_chinese(_first(problems))}")
    return "；".join(parts) or "提交的内容有误，请检查后重试"


def _chinese(text: str) -> str:
    for english, chinese in MESSAGES:
        if text.startswith(english):
            if chinese is None:  # "Must be greater than or equal to 1 and less than ... 720."
                low, high = text.rstrip(".").split(" and less than or equal to ")
                return f"应在 {low.split()[-1]} 到 {high} 之间"
            return chinese
    return text


def _first(problems) -> str:
    while isinstance(problems, list | dict):
        problems = next(iter(problems.values() if isinstance(problems, dict) else problems), "")
    return str(problems)


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
