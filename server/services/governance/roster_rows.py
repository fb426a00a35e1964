"""One data row of a roster file, read and normalised: building and unit numbers
("一号楼" → 1, "2单元" → 2), the room ("301室" → "301"), the area (5–1000 m², two
decimals), the floor, 状态 (自住/出租/空置), 备注 and 产权人编号 (the owner number: flats
with the same one belong to one owner, one head in owners' decisions); or a `Problem`
naming the row (as
the spreadsheet shows it: the header is row 1), the column and what is wrong, in plain
Chinese. The file itself is read by `roster_files`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

AREA_MIN, AREA_MAX = Decimal(5), Decimal(1000)
NOTE_MAX = 200
OWNER_KEY_MAX = 32  # Household.owner_key
# What rosters write for an unknown 产权人编号 (besides dashes, slashes and the like).
NO_OWNER_KEY = {
    "无",
    "暂无",
    "没有",
    "不详",
    "未知",
    "待定",
    "待查",
    "空",
    "NA",
    "N/A",
    "NULL",
    "NONE",
}

# Column key → (header as the template writes it, the words a header may start with).
COLUMNS = {
    "building": ("楼栋", ("楼栋", "楼号")),
    "unit": ("单元", ("单元",)),
    "room": ("房号", ("房号", "房间号", "门牌号")),
    "area": ("建筑面积(m²)", ("建筑面积", "面积")),
    "floor": ("楼层", ("楼层",)),
    "status": ("状态", ("状态", "居住状态")),
    "note": ("备注", ("备注",)),
    "owner_key": ("产权人编号", ("产权人编号", "业主编号")),
}
# 状态 → (occupancy, tenure).
STATUSES = {"自住": ("occupied", "owner"), "出租": ("occupied", "rented"), "空置": ("vacant", None)}

NUMERALS = {c: i for i, c in enumerate("零一二三四五六七八九", start=0)}
BUILDING_SUFFIX = re.compile(r"(号楼|号|栋|幢|楼)$")
UNIT_SUFFIX = re.compile(r"(单元|号)$")
ROOM = re.compile(r"^(\d{1,6})(室|号)?$")


@dataclass
class Problem:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class RosterRow:
    """One flat as the file names it, normalised. `floor`, `occupancy`, `tenure`, `note`,
    `owner_key` are None where the file leaves them blank (see `note_given`,
    `owner_key_given`: whether the file has the column at all)."""

    line: int
    building: int
    unit: int
    room: str
    area: Decimal
    floor: int | None
    occupancy: str | None
    tenure: str | None
    note: str | None
    note_given: bool
    owner_key: str | None = None
    owner_key_given: bool = False

    @property
    def key(self) -> tuple[int, int, str]:
        return self.building, self.unit, self.room

    @property
    def label(self) -> str:
        return f"{self.building}-{self.unit}-{self.room}"


@dataclass
class ParsedRoster:
    rows: list[RosterRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    count: int = 0  # data rows read (blank lines not counted)


class RowReader:
    """Reads data rows one by one, remembering what repeats across rows."""

    def __init__(self, header: dict[str, int], parsed: ParsedRoster):
        self.header = header
        self.parsed = parsed
        self.seen_rooms: dict[tuple[int, int, str], int] = {}
        self.spellings: dict[tuple, tuple[str, int]] = {}
        self.reported: set[tuple] = set()

    def cell(self, cells: list, key: str) -> str:
        index = self.header.get(key)
        if index is None or index >= len(cells):
            return ""
        return cell_text(cells[index])

    def problem(self, line: int, key: str, message: str) -> None:
        self.parsed.problems.append(Problem(line, COLUMNS[key][0], message))

    def read(self, line: int, cells: list) -> None:
        before = len(self.parsed.problems)
        building = self._number(line, cells, "building", BUILDING_SUFFIX, "楼栋", ())
        unit = self._number(line, cells, "unit", UNIT_SUFFIX, "单元", (building,))
        room = self._room(line, cells)
        area = self._area(line, cells)
        floor = self._floor(line, cells)
        status = self._status(line, cells)
        note = self.cell(cells, "note")
        if len(note) > NOTE_MAX:
            self.problem(line, "note", f"备注最多 {NOTE_MAX} 个字")
        owner_key = self._owner_key(line, cells)
        if building is not None and unit is not None and room is not None:
            key = (building, unit, room)
            first = self.seen_rooms.setdefault(key, line)
            if first != line:
                self.problem(line, "room", f"{building}-{unit}-{room} 与第 {first} 行重复")
        if len(self.parsed.problems) > before:
            return
        occupancy, tenure = status if status else (None, None)
        self.parsed.rows.append(
            RosterRow(
                line,
                building,
                unit,
                room,
                area,
                floor,
                occupancy,
                tenure,
                note or None,
                "note" in self.header,
                owner_key,
                "owner_key" in self.header,
            )
        )

    def _number(self, line, cells, key, suffix, word, parent) -> int | None:
        raw = self.cell(cells, key)
        if not raw:
            self.problem(line, key, f"请填写{word}")
            return None
        number = parse_number(raw, suffix)
        if number is None:
            self.problem(line, key, f"{word}应写数字，如 1、1号楼 或 一号楼，这里是“{raw}”")
            return None
        if None in parent:
            return number
        spelled = squash(raw)
        first, first_line = self.spellings.setdefault((key, *parent, number), (spelled, line))
        if spelled != first and (key, *parent, number, spelled) not in self.reported:
            self.reported.add((key, *parent, number, spelled))
            what = f"{number}号楼" if key == "building" else f"{parent[0]}号楼{number}单元"
            self.problem(
                line,
                key,
                f"{what}在第 {first_line} 行写作“{first}”，这里写作“{raw}”，请统一写法",
            )
        return number

    def _room(self, line, cells) -> str | None:
        raw = self.cell(cells, "room")
        if not raw:
            self.problem(line, "room", "请填写房号")
            return None
        match = ROOM.match(squash(raw))
        if not match:
            self.problem(line, "room", f"房号应写数字，如 301，这里是“{raw}”")
            return None
        return str(int(match[1]))

    def _area(self, line, cells) -> Decimal | None:
        raw = self.cell(cells, "area")
        if not raw:
            self.problem(line, "area", "请填写建筑面积")
            return None
        try:
            area = Decimal(squash(raw).removesuffix("m2").removesuffix("平方米"))
        except InvalidOperation:
            area = None
        if area is None or not area.is_finite():
            self.problem(line, "area", f"建筑面积应为数字，如 72.36，这里是“{raw}”")
            return None
        if not AREA_MIN <= area <= AREA_MAX:
            self.problem(line, "area", f"建筑面积应在 5 到 1000 平方米之间，这里是“{raw}”")
            return None
        if area != area.quantize(Decimal("0.01")):
            self.problem(line, "area", f"建筑面积最多两位小数，这里是“{raw}”")
            return None
        return area.quantize(Decimal("0.01"))

    def _owner_key(self, line, cells) -> str | None:
        """产权人编号 as written, full-width characters made half-width ("Ａ０１" and "A01"
        are one owner) and trimmed; None when blank or a placeholder ("无", "-", "N/A":
        flats sharing one would wrongly count as one owner's)."""
        raw = self.cell(cells, "owner_key")
        key = unicodedata.normalize("NFKC", raw).strip()
        if key.upper() in NO_OWNER_KEY or not any(c.isalnum() for c in key):
            return None
        if len(key) > OWNER_KEY_MAX:
            self.problem(line, "owner_key", f"产权人编号最多 {OWNER_KEY_MAX} 个字，这里是“{raw}”")
            return None
        return key or None

    def _floor(self, line, cells) -> int | None:
        raw = self.cell(cells, "floor")
        if not raw:
            return None
        text = squash(raw).removesuffix("层").removesuffix("楼")
        if not re.fullmatch(r"-?\d{1,3}", text):
            self.problem(line, "floor", f"楼层应为数字，如 3，这里是“{raw}”")
            return None
        return int(text)

    def _status(self, line, cells) -> tuple[str, str | None] | None:
        raw = self.cell(cells, "status")
        if not raw:
            return None
        status = STATUSES.get(squash(raw))
        if status is None:
            self.problem(line, "status", f"状态只能填 自住、出租 或 空置，这里是“{raw}”")
        return status


def parse_number(raw: str, suffix: re.Pattern) -> int | None:
    """ "3", "3号楼", "三号楼", "十二栋", "2单元" → the number; None when it is not one."""
    text = suffix.sub("", squash(raw))
    if text.startswith("第"):
        text = text[1:]
    number = int(text) if re.fullmatch(r"\d{1,3}", text) else chinese_number(text)
    return number if number and number > 0 else None


def chinese_number(text: str) -> int | None:
    """一..九十九 as written in Chinese ("十二", "二十", "二十一"); None otherwise."""
    if not text or any(c not in NUMERALS and c != "十" for c in text):
        return None
    if "十" not in text:
        return NUMERALS[text] if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1 or "十" in ones:
        return None
    return (NUMERALS[tens] if tens else 1) * 10 + (NUMERALS[ones] if ones else 0)


def default_floor(room: str) -> int:
    """301 → 3, 1201 → 12; a room of one or two digits is on the ground floor."""
    return int(room[:-2]) if len(room) >= 3 else 1


def cell_text(value) -> str:
    """A cell as text: 301.0 (Excel's number) → "301", None → "", 72.36000000000001 →
    "72.36"."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        # A formula's 72.36000000000001 is the 72.36 the person sees in the cell.
        return repr(round(value, 9))
    return str(value).strip()


def squash(text: str) -> str:
    """Full-width characters to half-width, spaces removed: "３０１ 室" → "301室"."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
