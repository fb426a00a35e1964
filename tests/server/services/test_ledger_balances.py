"""The ledger's balances start from the newest verified checkpoint: the balances kept
with it plus the entries after it, always equal to the sum over the whole chain
(payments, refunds, reversals, fees given back), and a full pass holds the kept
balances to the entries."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select, update

from server.extensions import db
from server.models import LedgerCheckpoint
from server.services.money import ledger, ledger_checks
from server.services.people.access import load_principal
from tests.factories import build_world

FEE = "fee:self_governance"
PARKING = "fee:parking"


def move(account: str, direction: str, fen: int, source: str = "payment", sid: int = 1):
    return ledger.Movement(account, direction, fen, source, sid)


# A day of the compound's money at a time: payments, a payment that settled nothing
# (owed back), its refund, a refund of a paid bill (a reversal of the fee), WeChat
# Pay's fee and the fee it gives back with a refund, a correction.
DAYS = [
    [move(FEE, "credit", 2533), move(PARKING, "credit", 15000, sid=2)],
    [
        move(ledger.REFUND_DUE, "credit", 2533, sid=3),
        move(ledger.PAY_FEES, "debit", 15, "statement", 4),
        move(FEE, "credit", 2533, sid=5),
    ],
    [
        move(ledger.REFUND_DUE, "debit", 2533, "wechat_refund", 6),
        move(PARKING, "debit", 15000, "wechat_refund", 7),
        move(ledger.PAY_FEES, "credit", 15, "statement", 7),
    ],
    [move(FEE, "debit", 100, "correction", 8), move(FEE, "credit", 100, "correction", 9)],
]


@pytest.fixture
def world(db_session):
    return build_world("lb")


def page_balances(world) -> dict[str, int]:
    committee = load_principal(world.people["committee"].id)
    page = ledger.page(committee, "lb", None, 20)
    assert page.verified
    return page.balance_fen


def test_balances_from_the_checkpoint_equal_the_whole_chain_every_day(world):
    compound = world.compound.id
    for number, movements in enumerate(DAYS):
        ledger.append(compound, movements, actor_id=None)
        db.session.commit()
        # The view between checks: the checkpoint's balances plus the day's entries.
        assert page_balances(world) == ledger.summed_balances(compound)
        ledger.verify("lb", full=number == 2)  # the nightly check (once a full pass)
        kept = db.session.scalars(
            select(LedgerCheckpoint.balances)
            .where(LedgerCheckpoint.compound_id == compound)
            .order_by(LedgerCheckpoint.seq.desc())
        ).first()
        assert kept == ledger.summed_balances(compound)
        assert page_balances(world) == kept
    # Refunded and reversed: the parking money went back, nothing is owed back.
    assert page_balances(world) == {
        FEE: 2533 * 2,
        PARKING: 0,
        ledger.REFUND_DUE: 0,
        ledger.PAY_FEES: 0,
    }


def test_the_page_sums_no_entry_before_the_checkpoint(world):
    compound = world.compound.id
    for movements in DAYS[:3]:
        ledger.append(compound, movements, actor_id=None)
    db.session.commit()
    ledger.verify("lb")
    ledger.append(compound, DAYS[3], actor_id=None)
    db.session.commit()
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement.lower())

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        balances = page_balances(world)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert balances == ledger.summed_balances(compound)
    assert not [s for s in statements if "sum(" in s]  # no pass over the whole chain


def test_a_checkpoint_from_before_balances_were_kept_gets_them_at_the_next_check(world):
    compound = world.compound.id
    ledger.append(compound, DAYS[0] + DAYS[1], actor_id=None)
    db.session.commit()
    ledger.verify("lb")
    db.session.execute(update(LedgerCheckpoint).values(balances=None))  # as migrated
    db.session.commit()
    ledger.append(compound, DAYS[2], actor_id=None)
    db.session.commit()
    assert page_balances(world) == ledger.summed_balances(compound)
    ledger.verify("lb")
    kept = db.session.scalars(
        select(LedgerCheckpoint.balances).order_by(LedgerCheckpoint.seq)
    ).all()
    assert kept[-1] == ledger.summed_balances(compound)
    # Nothing new since: the check still fills in a head checkpoint without balances.
    db.session.execute(update(LedgerCheckpoint).values(balances=None))
    db.session.commit()
    ledger.verify("lb")
    db.session.expire_all()
    assert db.session.scalars(select(LedgerCheckpoint.balances)).all()[-1] == (
        ledger.summed_balances(compound)
    )


def test_a_full_pass_finds_balances_changed_behind_the_ledgers_back(world):
    compound = world.compound.id
    ledger.append(compound, DAYS[0], actor_id=None)
    db.session.commit()
    ledger.verify("lb")
    ledger.append(compound, DAYS[1], actor_id=None)
    db.session.commit()
    ledger.verify("lb")
    first = db.session.scalars(select(LedgerCheckpoint).order_by(LedgerCheckpoint.seq)).first()
    db.session.execute(
        update(LedgerCheckpoint)
        .where(LedgerCheckpoint.id == first.id)
        .values(balances={FEE: 999_999, PARKING: 15000})
    )
    db.session.commit()
    db.session.expire_all()
    result = ledger.verify("lb", full=True)
    assert (result.ok, result.seq, result.problem) == (False, 2, ledger_checks.BALANCES_CHANGED)


def test_the_api_shows_the_balances(client, world):
    ledger.append(world.compound.id, DAYS[0] + DAYS[2], actor_id=None)
    db.session.commit()
    ledger.verify("lb")
    ledger.append(world.compound.id, DAYS[1], actor_id=None)
    db.session.commit()
    reply = client.get("/api/v1/ledger?compound=lb", headers=world.headers("committee"))
    assert reply.status_code == 200
    assert reply.get_json()["balance_fen"] == ledger.summed_balances(world.compound.id)
