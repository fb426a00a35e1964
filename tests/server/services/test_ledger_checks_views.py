"""What the committee reads of the ledger's check, on the desk (账本, 核验账本) and
through GET /ledger: up to which entry the chain was verified before and when, the
entries checked now, and the full pass on request."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from server.extensions import db
from server.models import LedgerEntry
from server.services.money import ledger
from tests.factories import build_world
from tests.server.console.desk import signed_in


@pytest.fixture
def world(db_session):
    world = build_world("lv")
    moves = [
        ledger.Movement("fee:self_governance", "credit", 2533 + i, "payment", 100 + i)
        for i in range(7)
    ]
    ledger.append(world.compound.id, moves[:5], actor_id=None)
    db.session.commit()
    ledger.verify("lv")  # last night's check: entries 1 to 5
    ledger.append(world.compound.id, moves[5:], actor_id=None)
    db.session.commit()
    return world


def text(response) -> str:
    return response.get_data(as_text=True)


def test_the_ledger_says_what_was_verified_before_and_what_now(app, world):
    desk = signed_in(app, world)
    page = text(desk.get("/console/ledger"))
    assert "账本完整" in page
    assert "第 1 至 5 条已于" in page
    assert "之后的 2 条刚刚核对" in page
    assert "上次从头逐条核对全部记录在" in page

    checked = text(desk.get("/console/ledger/verify"))
    assert "刚才逐条核对了 2 条记录（第 6 至 7 条；第 1 至 5 条已于" in checked
    assert "现在从头逐条核对全部 7 条" in checked


def test_a_change_before_the_checkpoint_is_found_by_the_full_pass_on_request(app, world):
    db.session.execute(
        update(LedgerEntry)
        .where(LedgerEntry.compound_id == world.compound.id, LedgerEntry.seq == 2)
        .values(amount_fen=1)
    )
    db.session.commit()
    desk = signed_in(app, world)
    assert "刚才逐条核对了 2 条记录" in text(desk.get("/console/ledger/verify"))
    full = text(desk.get("/console/ledger/verify?full=1"))
    assert "账本有问题" in full
    assert "第 2 条记录起对不上（这一条的内容被改过）" in full


def test_a_rewritten_checkpoint_shows_as_a_break(app, world):
    db.session.execute(
        update(LedgerEntry)
        .where(LedgerEntry.compound_id == world.compound.id, LedgerEntry.seq == 5)
        .values(hash="e" * 64)
    )
    db.session.commit()
    desk = signed_in(app, world)
    assert "账本有问题" in text(desk.get("/console/ledger"))
    broken = text(desk.get("/console/ledger/verify"))
    assert "第 5 条记录起对不上" in broken


def test_the_api_says_from_which_entry_it_checked(client, world):
    reply = client.get("/api/v1/ledger?compound=lv", headers=world.headers("committee"))
    assert reply.status_code == 200
    body = reply.get_json()
    assert body["verified"] is True
    check = body["verification"]
    assert (check["checked"], check["from_seq"], check["up_to"], check["full_seq"]) == (2, 5, 7, 5)
    assert check["full_at"]
    assert check["checkpoint_at"]
