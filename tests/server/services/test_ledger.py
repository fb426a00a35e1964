"""The ledger's hash chain notices an entry changed behind its back."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from server.errors import Forbidden, NotFound
from server.extensions import db
from server.services.money import ledger
from server.services.people.access import load_principal
from tests.factories import build_world


@pytest.fixture
def chained(db_session):
    world = build_world("aa")
    moves = [
        ledger.Movement("fee:self_governance", "credit", 2533 + i, "payment", 100 + i)
        for i in range(5)
    ]
    entries = ledger.append(world.compound.id, moves, actor_id=None)
    db.session.flush()
    return entries


def test_an_untouched_ledger_verifies(chained):
    result = ledger.verify("aa")
    assert (result.ok, result.checked) == (True, 5)


@pytest.mark.parametrize(
    ("column", "value"),
    [("amount_fen", 999999), ("account", "fee:other"), ("memo", "edited"), ("direction", "debit")],
)
def test_a_changed_entry_is_found(chained, column, value):
    target = chained[2]
    db.session.execute(
        text(f"UPDATE ledger_entries SET {column} = :value WHERE id = :id"),  # noqa: S608
        {"value": value, "id": target.id},
    )
    db.session.expire_all()
    result = ledger.verify("aa")
    assert not result.ok
    assert result.seq == target.seq
    assert result.problem == "its content was changed"


def test_a_deleted_entry_is_found(chained):
    db.session.execute(text("DELETE FROM ledger_entries WHERE id = :id"), {"id": chained[1].id})
    db.session.expire_all()
    result = ledger.verify("aa")
    assert not result.ok
    assert result.seq == chained[2].seq


def test_the_cli_reports_the_break(app, chained):
    db.session.execute(
        text("UPDATE ledger_entries SET amount_fen = 1 WHERE id = :id"), {"id": chained[0].id}
    )
    result = app.test_cli_runner().invoke(args=["ledger", "verify"])
    assert result.exit_code != 0
    assert "broken at entry 1" in result.output


def test_no_zero_or_negative_movements(db_session):
    world = build_world("bb")
    with pytest.raises(ValueError, match="not a money movement"):
        ledger.append(
            world.compound.id, [ledger.Movement("fee:x", "credit", 0, "payment", 1)], None
        )


def test_the_committee_reads_one_account_and_checks_the_chain(db_session):
    world = build_world("ab")
    moves = [
        ledger.Movement("fee:self_governance", "credit", 2533, "payment", 1),
        ledger.Movement(ledger.REFUND_DUE, "credit", 100, "payment", 2),
    ]
    ledger.append(world.compound.id, moves, actor_id=None)
    committee = load_principal(world.people["committee"].id)
    page = ledger.page(committee, "ab", None, 50, account=ledger.REFUND_DUE)
    assert [e.amount_fen for e in page.items] == [100]
    assert page.balance_fen == {"fee:self_governance": 2533, ledger.REFUND_DUE: 100}
    checked = ledger.verify_for(committee, "ab")
    assert (checked.ok, checked.checked, checked.up_to) == (True, 2, 2)
    with pytest.raises(Forbidden):
        ledger.verify_for(load_principal(world.people["resident_1_1"].id), "ab")
    with pytest.raises(NotFound):
        ledger.verify_for(committee, "aa")
