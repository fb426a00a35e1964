"""Anyone who scans a published disclosure's paper checks it against the ledger: the
figures are recomputed and the hash chain verified up to the frozen head; a row
changed behind the application's back is named, line and entry."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text

from server.extensions import db
from server.services.money import ledger
from tests.factories import build_world, fund_money, self_governance_fee
from tests.money_month import a_month_of_money
from tests.timing import month


@pytest.fixture
def world(db_session):
    return build_world("dv")


@pytest.fixture
def money(world):
    return a_month_of_money(world)


def publish(client, world, month: str) -> int:
    made = client.post(
        f"/api/v1/compounds/{world.compound.code}/disclosures",
        json={"month": month},
        headers=world.headers("committee"),
    ).get_json()
    for action, who in (("sign-off", "supervisor"), ("publish", "committee")):
        done = client.post(f"/api/v1/disclosures/{made['id']}/{action}", headers=world.headers(who))
        assert done.status_code == 200
    return made["id"]


def verify(client, disclosure_id, headers=None):
    return client.get(f"/api/v1/disclosures/{disclosure_id}/verify", headers=headers or {})


def tamper(world, seq: int, amount_fen: int) -> None:
    db.session.execute(
        text(
            "UPDATE ledger_entries SET amount_fen = :amount "
            "WHERE compound_id = :compound AND seq = :seq"
        ),
        {"amount": amount_fen, "compound": world.compound.id, "seq": seq},
    )
    db.session.commit()


def test_a_published_disclosure_agrees_with_the_ledger_without_signing_in(client, world, money):
    disclosure_id = publish(client, world, money.month)
    checked = verify(client, disclosure_id)
    assert checked.status_code == 200
    body = checked.get_json()
    assert (body["verified"], body["summary"], body["differences"]) == (True, "一致", [])
    assert body["title"].endswith("收支公示")


def test_entries_after_the_freeze_change_nothing(client, world, money):
    disclosure_id = publish(client, world, money.month)
    ledger.append(
        world.compound.id,
        [ledger.Movement("fee:self_governance", "credit", 999, "correction", 2, "后来的")],
        None,
    )
    db.session.commit()
    assert verify(client, disclosure_id).get_json()["verified"] is True


def test_an_expense_changed_behind_the_back_is_named(client, world, money):
    disclosure_id = publish(client, world, money.month)
    seq = money.seqs["expense"]
    tamper(world, seq, 2000)
    body = verify(client, disclosure_id).get_json()
    assert body["verified"] is False
    assert body["summary"] == f"有 {len(body['differences'])} 处不一致"
    chain = [d for d in body["differences"] if d["kind"] == "chain"]
    assert [(d["seq"], d["message"]) for d in chain] == [(seq, f"账本第 {seq} 笔的内容被改动过")]
    figures = {
        (d["line"], d["frozen"], d["recomputed"])
        for d in body["differences"]
        if d["kind"] == "figure"
    }
    assert (f"expense:{money.expense_id}", 12000, 2000) in figures
    assert ("closing_fen", 2333, 12333) in figures
    messages = [d["message"] for d in body["differences"]]
    assert "自治管理费·更换楼道灯泡的金额：公示 ¥120.00，账本重算 ¥20.00" in messages
    assert "自治管理费·期末余额：公示 ¥23.33，账本重算 ¥123.33" in messages


def test_a_changed_opening_entry_is_named_as_the_opening(client, world, money):
    disclosure_id = publish(client, world, money.month)
    tamper(world, money.seqs["opening_fund"], 100100)
    body = verify(client, disclosure_id).get_json()
    assert body["verified"] is False
    lines = {(d["fund_name"], d["line"]) for d in body["differences"] if d["kind"] == "figure"}
    assert lines == {("共建基金", "opening_fen"), ("共建基金", "closing_fen")}
    (chain,) = [d for d in body["differences"] if d["kind"] == "chain"]
    assert chain["seq"] == money.seqs["opening_fund"]


def test_a_fee_count_changed_is_named(client, world, money):
    disclosure_id = publish(client, world, money.month)
    db.session.execute(
        text("DELETE FROM ledger_entries WHERE compound_id = :c AND seq = :seq"),
        {"c": world.compound.id, "seq": money.seqs["fee_3"]},
    )
    db.session.commit()
    body = verify(client, disclosure_id).get_json()
    messages = [d["message"] for d in body["differences"]]
    assert f"账本第 {money.seqs['fee_3']} 笔不见了" in messages
    assert "自治管理费·收缴费用的账单数：公示 4 笔，账本重算 3 笔" in messages


def test_unpublished_ones_are_not_shown_to_the_public(client, world, money):
    made = client.post(
        f"/api/v1/compounds/{world.compound.code}/disclosures",
        json={"month": money.month},
        headers=world.headers("committee"),
    ).get_json()
    hidden = verify(client, made["id"])
    assert hidden.status_code == 404
    assert hidden.get_json()["code"] == "disclosure_not_found"
    assert verify(client, made["id"], world.headers("resident_1_1")).status_code == 404
    other = build_world("dw")
    db.session.commit()
    assert verify(client, made["id"], other.headers("committee")).status_code == 404
    # the supervisor checks a draft before signing it off
    own = verify(client, made["id"], world.headers("supervisor"))
    assert own.status_code == 200
    assert own.get_json()["verified"] is True
    assert verify(client, 10**9).status_code == 404


def test_a_version_objected_to_and_never_published_stays_hidden_once_corrected(
    client, world, money
):
    """The corrected version's publication supersedes the objected draft, which was
    never published: residents, the list and the public verify still do not see it."""
    code = world.compound.code
    first = client.post(
        f"/api/v1/compounds/{code}/disclosures",
        json={"month": money.month},
        headers=world.headers("committee"),
    ).get_json()
    objected = client.post(
        f"/api/v1/disclosures/{first['id']}/object",
        json={"reason": "少了一张票据"},
        headers=world.headers("supervisor"),
    )
    assert objected.status_code == 200
    second = client.post(
        f"/api/v1/compounds/{code}/disclosures",
        json={"month": money.month, "corrects": first["id"], "changes": "补上票据"},
        headers=world.headers("committee"),
    ).get_json()
    for action, who in (("sign-off", "supervisor"), ("publish", "committee")):
        done = client.post(
            f"/api/v1/disclosures/{second['id']}/{action}", headers=world.headers(who)
        )
        assert done.status_code == 200
    hidden = verify(client, first["id"])
    assert (hidden.status_code, hidden.get_json()["code"]) == (404, "disclosure_not_found")
    assert hidden.get_json()["message"] == "找不到这份公示"
    resident = world.headers("resident_1_1")
    assert verify(client, first["id"], resident).status_code == 404
    read = client.get(f"/api/v1/disclosures/{first['id']}", headers=resident)
    assert read.status_code == 404
    listed = client.get(f"/api/v1/compounds/{code}/disclosures", headers=resident)
    assert [d["id"] for d in listed.get_json()["items"]] == [second["id"]]
    assert verify(client, second["id"]).get_json()["verified"] is True
    # the committee still reads the old version, marked corrected
    own = client.get(f"/api/v1/disclosures/{first['id']}", headers=world.headers("committee"))
    assert own.get_json()["status"] == "superseded"


def test_an_entry_written_while_the_freeze_waits_is_in_its_figures(app, committed_db):
    """A freeze that waits for the ledger chain (another payment being written) freezes
    that entry too: its figures are read after the lock (MariaDB: not from a snapshot
    taken before it), so verify says 一致."""
    world = build_world("dx")
    self_governance_fee(world.compound)
    fund_money(world, 100000)
    compound_id, holding = world.compound.id, threading.Event()
    headers, supervisor = world.headers("committee"), world.headers("supervisor")
    db.session.commit()  # SQLite: the test's session holds no write lock from here

    def write_while_held():
        with app.app_context():
            ledger.lock_chain(compound_id)
            holding.set()
            time.sleep(0.8)  # the freeze has read its first rows and waits for the chain
            ledger.append(
                compound_id,
                [ledger.Movement("fee:self_governance", "credit", 999, "correction", 2, "同时")],
                None,
            )
            db.session.commit()
            db.session.remove()

    writer = threading.Thread(target=write_while_held)
    writer.start()
    assert holding.wait(10)
    made = app.test_client().post(
        "/api/v1/compounds/dx/disclosures", json={"month": month()}, headers=headers
    )
    writer.join(30)
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    fund = next(f for f in body["funds"] if f["account"] == "fee:self_governance")
    assert fund["closing_fen"] == 100999
    checked = verify(app.test_client(), body["id"], supervisor).get_json()
    assert (checked["verified"], checked["differences"]) == (True, [])
