"""Counting an owners' decision exactly as Civil Code art. 278 says, in integers.

Areas are counted in hundredths of a square metre (the roll's DECIMAL(10,2)), so every
comparison is a cross-multiplication of integers: no float, no rounding anywhere.

- Quorum: the participating area ≥ 2/3 of the whole area AND the participating heads
  ≥ 2/3 of all heads.
- Matters 6–8 pass with ≥ 3/4 of the participating area AND of the participating heads;
  the other matters with > 1/2 of both.
- One head per owner group (one buyer of several flats is one head; all their areas
  count). A group takes part when any of its flats has a counted ballot; its head goes
  to the choice of its latest counted ballot (ties on time: the higher ballot id).
- Abstaining is taking part: it is in the participating figures, never a "yes".
- With candidates (an election), the option that meets the passing rule wins; at most
  one can, since each rule needs more than half.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

from server.models.decisions import THREE_QUARTERS_MATTERS

QUORUM = Fraction(2, 3)
MAJORITY = Fraction(1, 2)  # strictly more than
THREE_QUARTERS = Fraction(3, 4)  # at least
ABSTAIN = "abstain"
NO = "no"


@dataclass(frozen=True)
class RollFlat:
    household_id: int
    area_m2: Decimal
    owner_group: int


@dataclass(frozen=True)
class CountedBallot:
    household_id: int
    choice: str
    counted_at: datetime
    ballot_id: int


@dataclass(frozen=True)
class OptionCount:
    choice: str
    area_cm: int  # hundredths of a square metre
    heads: int
    meets_rule: bool  # area and heads both meet the passing rule

    @property
    def area_m2(self) -> Decimal:
        return cents_to_m2(self.area_cm)


@dataclass(frozen=True)
class Count:
    rule: str  # "three_quarters" or "majority"
    eligible_area_cm: int
    eligible_heads: int
    participating_area_cm: int
    participating_heads: int
    options: tuple[OptionCount, ...]
    quorum_area_met: bool
    quorum_heads_met: bool
    # The option meeting the passing rule among the participants (for yes/no: "yes");
    # it decides only with the quorum (`passed`). Stored only when it passed.
    winner: str | None

    @property
    def quorum_met(self) -> bool:
        return self.quorum_area_met and self.quorum_heads_met

    @property
    def passed(self) -> bool:
        return self.quorum_met and self.winner is not None

    def as_dict(self) -> dict:
        """The stored form (areas as decimal strings, shares as exact fractions)."""
        return {
            "rule": self.rule,
            "eligible_area_m2": str(cents_to_m2(self.eligible_area_cm)),
            "eligible_heads": self.eligible_heads,
            "participating_area_m2": str(cents_to_m2(self.participating_area_cm)),
            "participating_heads": self.participating_heads,
            "options": [
                {
                    "choice": o.choice,
                    "area_m2": str(o.area_m2),
                    "heads": o.heads,
                    "meets_rule": o.meets_rule,
                }
                for o in self.options
            ],
            "quorum_area_met": self.quorum_area_met,
            "quorum_heads_met": self.quorum_heads_met,
            "quorum_met": self.quorum_met,
            "winner": self.winner if self.passed else None,
            "passed": self.passed,
        }


def rule_for(matter: int) -> str:
    return "three_quarters" if matter in THREE_QUARTERS_MATTERS else "majority"


def m2_to_cents(area: Decimal) -> int:
    cents = Decimal(area) * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"an area with more than two decimals: {area}")
    return int(cents)


def cents_to_m2(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def at_least(part: int, whole: int, share: Fraction) -> bool:
    """part ≥ share × whole, exactly (an empty whole is never met)."""
    return whole > 0 and part * share.denominator >= whole * share.numerator


def more_than(part: int, whole: int, share: Fraction) -> bool:
    """part > share × whole, exactly."""
    return whole > 0 and part * share.denominator > whole * share.numerator


def passes(rule: str, area_cm: int, heads: int, of_area_cm: int, of_heads: int) -> bool:
    """Whether an option's area and heads meet the rule among the participants."""
    if rule == "three_quarters":
        check = at_least
        share = THREE_QUARTERS
    else:
        check = more_than
        share = MAJORITY
    return check(area_cm, of_area_cm, share) and check(heads, of_heads, share)


def count(
    matter: int,
    choices: Iterable[str],
    roll: Iterable[RollFlat],
    ballots: Iterable[CountedBallot],
) -> Count:
    """Count the counted ballots of a proposal against its frozen roll.

    `choices` are the proposal's options in order; a ballot of a flat not on the roll,
    or for an unknown choice, is a programming error (ValueError), not a vote.
    """
    rule = rule_for(matter)
    choices = list(choices)
    flats = {f.household_id: f for f in roll}
    eligible_area = sum(m2_to_cents(f.area_m2) for f in flats.values())
    eligible_heads = len({f.owner_group for f in flats.values()})

    area = dict.fromkeys(choices, 0)
    latest: dict[int, tuple[datetime, int, str]] = {}  # owner group → its latest ballot
    seen: set[int] = set()
    for ballot in ballots:
        flat = flats.get(ballot.household_id)
        if flat is None or ballot.choice not in area or ballot.household_id in seen:
            raise ValueError(f"ballot {ballot.ballot_id} cannot be counted")
        seen.add(ballot.household_id)
        area[ballot.choice] += m2_to_cents(flat.area_m2)
        key = (ballot.counted_at, ballot.ballot_id, ballot.choice)
        if flat.owner_group not in latest or key[:2] > latest[flat.owner_group][:2]:
            latest[flat.owner_group] = key
    heads = dict.fromkeys(choices, 0)
    for _at, _id, choice in latest.values():
        heads[choice] += 1

    part_area = sum(area.values())
    part_heads = len(latest)
    options = tuple(
        OptionCount(
            c,
            area[c],
            heads[c],
            c not in (ABSTAIN, NO) and passes(rule, area[c], heads[c], part_area, part_heads),
        )
        for c in choices
    )
    winner = next((o.choice for o in options if o.meets_rule), None)
    return Count(
        rule=rule,
        eligible_area_cm=eligible_area,
        eligible_heads=eligible_heads,
        participating_area_cm=part_area,
        participating_heads=part_heads,
        options=options,
        quorum_area_met=at_least(part_area, eligible_area, QUORUM),
        quorum_heads_met=at_least(part_heads, eligible_heads, QUORUM),
        winner=winner,
    )
