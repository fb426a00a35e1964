"""Art. 278 counted exactly: every boundary of the double quorum and the two passing rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.services.decisions.roll import owner_groups
from server.services.decisions.tally import CountedBallot, RollFlat, count

T0 = datetime(2000, 1, 1, tzinfo=UTC)  # only the order of counting matters here
YES_NO = ("yes", "no", "abstain")


def roll(*areas: str, groups: dict[int, int] | None = None) -> list[RollFlat]:
    groups = groups or {}
    return [RollFlat(i, Decimal(a), groups.get(i, i)) for i, a in enumerate(areas, start=1)]


def votes(*pairs: tuple[int, str]) -> list[CountedBallot]:
    return [
        CountedBallot(h, choice, T0 + timedelta(minutes=n), n)
        for n, (h, choice) in enumerate(pairs, start=1)
    ]


def test_exactly_two_thirds_of_area_and_heads_is_a_quorum():
    result = count(9, YES_NO, roll(*["100.00"] * 6), votes(*[(h, "yes") for h in (1, 2, 3, 4)]))
    assert (result.participating_area_cm, result.participating_heads) == (40000, 4)
    assert result.quorum_area_met
    assert result.quorum_heads_met
    assert result.passed


def test_one_head_short_of_two_thirds_is_no_quorum():
    result = count(9, YES_NO, roll(*["100.00"] * 6), votes((1, "yes"), (2, "yes"), (3, "yes")))
    assert not result.quorum_heads_met
    assert not result.quorum_area_met
    assert not result.passed
    assert result.winner == "yes"


def test_area_met_but_heads_not():
    flats = roll("340.00", "52.00", "52.00", "52.00", "52.00", "52.00")
    result = count(9, YES_NO, flats, votes((1, "yes"), (2, "yes"), (3, "yes")))
    assert result.quorum_area_met
    assert not result.quorum_heads_met
    assert not result.passed


def test_heads_met_but_area_not():
    flats = roll("340.00", "52.00", "52.00", "52.00", "52.00", "52.00")
    result = count(9, YES_NO, flats, votes(*[(h, "yes") for h in (2, 3, 4, 5, 6)]))
    assert result.quorum_heads_met
    assert not result.quorum_area_met
    assert not result.passed


def test_two_thirds_of_area_to_the_hundredth_of_a_square_metre():
    flats = roll("33.34", "33.33", "33.33")  # 100.00 in all: two thirds is 66.666…
    assert count(9, YES_NO, flats, votes((1, "yes"), (2, "yes"))).quorum_area_met  # 66.67
    assert not count(9, YES_NO, flats, votes((2, "yes"), (3, "yes"))).quorum_area_met  # 66.66


def test_three_quarters_exactly_passes_a_matter_eight():
    result = count(
        8, YES_NO, roll(*["100.00"] * 4), votes((1, "yes"), (2, "yes"), (3, "yes"), (4, "no"))
    )
    assert result.rule == "three_quarters"
    assert result.quorum_met
    assert result.passed


def test_just_under_three_quarters_fails_a_matter_six():
    flats = roll(*["100.00"] * 8)
    result = count(
        6,
        YES_NO,
        flats,
        votes(*[(h, "yes") for h in range(1, 6)], (6, "no"), (7, "no"), (8, "abstain")),
    )
    assert result.quorum_met
    assert not result.passed


def test_three_quarters_of_heads_but_not_of_area_fails():
    flats = roll("100.00", "100.00", "100.00", "400.00")
    result = count(7, YES_NO, flats, votes((1, "yes"), (2, "yes"), (3, "yes"), (4, "no")))
    option = result.options[0]
    assert option.heads == 3
    assert option.area_cm == 30000
    assert result.quorum_met
    assert not result.passed


def test_exactly_half_is_not_a_majority():
    flats = roll(*["100.00"] * 4)
    half = count(1, YES_NO, flats, votes((1, "yes"), (2, "yes"), (3, "no"), (4, "no")))
    assert half.rule == "majority"
    assert half.quorum_met
    assert not half.passed
    more = count(1, YES_NO, flats, votes((1, "yes"), (2, "yes"), (3, "yes"), (4, "no")))
    assert more.passed


def test_abstaining_takes_part_but_is_not_yes():
    flats = roll(*["100.00"] * 3)
    result = count(9, YES_NO, flats, votes((1, "yes"), (2, "abstain"), (3, "abstain")))
    assert result.quorum_met
    assert result.participating_heads == 3
    assert not result.passed


def test_one_owner_of_two_flats_is_one_head_and_both_areas():
    flats = roll("80.00", "60.00", "100.00", "100.00", groups={2: 1})
    result = count(9, YES_NO, flats, votes((1, "yes"), (2, "yes"), (3, "no")))
    assert result.eligible_heads == 3
    assert result.eligible_area_cm == 34000
    assert result.participating_heads == 2
    assert result.participating_area_cm == 24000
    yes = result.options[0]
    assert (yes.area_cm, yes.heads) == (14000, 1)


def test_an_owner_who_votes_two_ways_counts_once_with_the_latest():
    flats = roll("80.00", "60.00", "100.00", groups={2: 1})
    result = count(9, YES_NO, flats, votes((1, "yes"), (3, "no"), (2, "no")))
    by = {o.choice: (o.area_cm, o.heads) for o in result.options}
    assert by == {"yes": (8000, 0), "no": (16000, 2), "abstain": (0, 0)}


def test_an_election_is_won_by_the_candidate_with_more_than_half():
    flats = roll(*["100.00"] * 5)
    result = count(
        3, ("c1", "c2", "c3"), flats, votes((1, "c1"), (2, "c1"), (3, "c1"), (4, "c2"), (5, "c3"))
    )
    assert result.passed
    assert result.winner == "c1"
    split = count(
        3, ("c1", "c2", "c3"), flats, votes((1, "c1"), (2, "c1"), (3, "c2"), (4, "c2"), (5, "c3"))
    )
    assert not split.passed
    assert split.winner is None


def test_nobody_on_the_roll_decides_nothing():
    result = count(9, YES_NO, [], [])
    assert not result.quorum_met
    assert not result.passed


def test_a_ballot_off_the_roll_is_an_error_not_a_vote():
    with pytest.raises(ValueError, match="cannot be counted"):
        count(9, YES_NO, roll("50.00"), votes((2, "yes")))
    with pytest.raises(ValueError, match="cannot be counted"):
        count(9, YES_NO, roll("50.00"), votes((1, "maybe")))


def test_owner_groups_join_flats_through_any_shared_owner():
    groups = owner_groups(
        [1, 2, 3, 4, 5],
        [(4, ("key", "A")), (2, ("key", "A"))],
        [(2, ("user", 7)), (5, ("user", 7)), (3, ("user", 8))],
    )
    assert groups == {1: 1, 2: 2, 3: 3, 4: 2, 5: 2}


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(min_value=1, max_value=30000), min_size=1, max_size=12),
    st.lists(st.sampled_from(["yes", "no", "abstain", None]), min_size=12, max_size=12),
    st.sampled_from([1, 3, 6, 8, 9]),
)
def test_the_count_agrees_with_plain_fractions(areas_cm, picks, matter):
    flats = [RollFlat(i, Decimal(a) / 100, i) for i, a in enumerate(areas_cm, start=1)]
    cast = [(f.household_id, picks[i]) for i, f in enumerate(flats) if picks[i]]
    result = count(matter, YES_NO, flats, votes(*cast))
    total = Fraction(sum(areas_cm))
    part = Fraction(sum(areas_cm[h - 1] for h, _ in cast))
    yes = Fraction(sum(areas_cm[h - 1] for h, c in cast if c == "yes"))
    yes_heads = sum(1 for _, c in cast if c == "yes")
    quorum = part / total >= Fraction(2, 3) and Fraction(len(cast), len(flats)) >= Fraction(2, 3)
    if matter in (6, 7, 8):
        won = (
            part
            and yes / part >= Fraction(3, 4)
            and Fraction(yes_heads, len(cast)) >= Fraction(3, 4)
        )
    else:
        won = (
            part and yes / part > Fraction(1, 2) and Fraction(yes_heads, len(cast)) > Fraction(1, 2)
        )
    assert result.quorum_met == quorum
    assert result.passed == bool(quorum and won)


def test_the_readme_worked_example():
    """README, "Owners' decisions": 132 flats, 9,504.00 m², one owner of two flats."""
    areas = ["67.65"] * 50 + ["67.70"] + ["68.75"] * 45 + ["68.55"] + ["82.60"] * 34 + ["83.10"]
    flats = roll(*areas, groups={2: 1})
    cast = [(h, "yes") for h in range(1, 52)] + [(h, "no") for h in range(52, 98)]
    result = count(9, YES_NO, flats, votes(*cast))
    assert (result.eligible_area_cm, result.eligible_heads) == (950400, 131)
    assert (result.participating_area_cm, result.participating_heads) == (661250, 96)
    yes = result.options[0]
    assert (yes.area_cm, yes.heads) == (345020, 50)
    assert result.quorum_met
    assert result.passed
    assert not count(8, YES_NO, flats, votes(*cast)).passed  # letting an ad space: 3/4
