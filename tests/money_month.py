"""A month of a compound's money for the disclosure tests, written straight into the
tables and the ledger (the expense and income endpoints are not under test): last
month (Shanghai) has fees paid by WeChat and in cash, public income under a contract,
a paid expense with two receipts, a reversed expense, a refund and a correction;
the month before gives the opening balances, and this month has an entry that last
month's disclosure must leave out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from freezegun import freeze_time

from server.extensions import db
from server.models import OfflinePayment, Upload
from server.models.attachments import Attachment
from server.models.income import CO_CONSTRUCTION, IncomeContract, IncomeRecord
from server.models.spending import Expense
from server.services.money import ledger
from server.services.money.ledger import REFUND_DUE, Movement
from tests.factories import World, make_bill, make_payment, self_governance_fee
from tests.timing import month, shanghai_date, shanghai_month_start

FEE = "fee:self_governance"


@dataclass
class MoneyMonth:
    month: str  # last month, "YYYY-MM"
    expense_id: int = 0
    reversed_id: int = 0
    income_id: int = 0
    receipts: list[int] = field(default_factory=list)
    # seq of each entry by name ("expense", "opening_fee", ...)
    seqs: dict[str, int] = field(default_factory=dict)


def a_month_of_money(world: World) -> MoneyMonth:
    compound_id = world.compound.id
    actor = world.user_ids["committee"]
    self_governance_fee(world.compound)
    result = MoneyMonth(month(-1))

    def append(name: str, *movement) -> None:
        (entry,) = ledger.append(compound_id, [Movement(*movement)], actor)
        result.seqs[name] = entry.seq

    with freeze_time(shanghai_month_start(-2) + timedelta(days=5)):
        old = make_bill(world, "1-1-101", month(-2), amount_fen=5000)
        paid = make_payment(world, [old], "paid", paid_at=shanghai_month_start(-2))
        append("opening_fee", FEE, "credit", 5000, "payment", paid.id, "前月缴费")
        append("opening_fund", CO_CONSTRUCTION, "credit", 100000, "income", 0, "前月收益")
        append("opening_refund_due", REFUND_DUE, "credit", 3000, "payment", paid.id, "多缴")

    with freeze_time(shanghai_month_start(-1) + timedelta(days=5)):
        # Fees: three bills of two households by WeChat Pay, one household in cash.
        bills = [
            make_bill(world, "1-1-101", month(-1), amount_fen=2533),
            make_bill(world, "1-1-102", month(-1), amount_fen=3100),
        ]
        first = make_payment(world, bills[:1], "paid", paid_at=shanghai_month_start(-1))
        extra = make_bill(world, "1-1-101", month(-3), amount_fen=1000)
        second = make_payment(
            world, [bills[1]], "paid", who="resident_1_1", paid_at=shanghai_month_start(-1)
        )
        late = make_payment(world, [extra], "paid", paid_at=shanghai_month_start(-1))
        append("fee_1", FEE, "credit", 2533, "payment", first.id, "1-1-101 王秀兰 缴费")
        append("fee_2", FEE, "credit", 3100, "payment", second.id, "1-1-102 缴费")
        append("fee_3", FEE, "credit", 1000, "payment", late.id, "1-1-101 补缴")
        cash_bill = make_bill(world, "1-2-101", month(-1), amount_fen=2800, status="paid")
        cash = OfflinePayment(
            compound_id=compound_id,
            household_id=cash_bill.household_id,
            method="cash",
            amount_fen=2800,
            paid_on=shanghai_date(-1),
            status="confirmed",
            recorded_by_id=world.user_ids["liaison_1_2"],
            decided_by_id=actor,
        )
        db.session.add(cash)
        db.session.flush()
        append("fee_cash", FEE, "credit", 2800, "offline_payment", cash.id, "1-2-101 李建国 现金")

        contract = IncomeContract(
            compound_id=compound_id,
            counterparty="华联超市",
            kind="advertising",
            price_fen=60000,
            cycle="monthly",
            start_on=shanghai_date(-90),
            end_on=shanghai_date(300),
        )
        db.session.add(contract)
        db.session.flush()
        income = IncomeRecord(
            compound_id=compound_id,
            kind="advertising",
            amount_fen=60000,
            received_on=shanghai_date(-1),
            method="transfer",
            contract_id=contract.id,
            status="confirmed",
            recorded_by_id=actor,
            decided_by_id=world.user_ids["committee_2"],
        )
        db.session.add(income)
        db.session.flush()
        result.income_id = income.id
        append("income", CO_CONSTRUCTION, "credit", 60000, "income", income.id, "广告收入")

        expense = _expense(world, "更换楼道灯泡", "李师傅五金店", 12000, FEE)
        result.expense_id = expense.id
        result.receipts = _receipts(world, expense.id, 2)
        append("expense", FEE, "debit", 12000, "expense", expense.id, "更换楼道灯泡")

        wrong = _expense(world, "修剪树木", "绿化队", 20000, CO_CONSTRUCTION)
        wrong.reversal_reason = "重复登记"
        result.reversed_id = wrong.id
        append("wrong", CO_CONSTRUCTION, "debit", 20000, "expense", wrong.id, "修剪树木")
        append("reversal", CO_CONSTRUCTION, "credit", 20000, "expense", wrong.id, "冲正")

        append("refund", REFUND_DUE, "debit", 3000, "refund", 1, "退款 30.00 元给1-1-101")
        append("correction", FEE, "debit", 100, "correction", 1, "更正：误记入的零钱")

    append("this_month", FEE, "debit", 700, "expense", expense.id, "本月的支出")
    db.session.commit()
    return result


def _expense(world: World, purpose: str, payee: str, amount_fen: int, fund: str) -> Expense:
    expense = Expense(
        compound_id=world.compound.id,
        fund=fund,
        amount_fen=amount_fen,
        purpose=purpose,
        payee=payee,
        category="repair",
        status="paid",
        proposed_by_id=world.user_ids["committee"],
        paid_by_id=world.user_ids["committee_2"],
        paid_on=shanghai_date(-1),
        pay_method="cash",
    )
    db.session.add(expense)
    db.session.flush()
    return expense


def _receipts(world: World, expense_id: int, count: int) -> list[int]:
    ids = []
    for position in range(count):
        upload = Upload(
            uploader_id=world.user_ids["committee"],
            storage_key=f"test/{world.compound.code}/receipt-{expense_id}-{position}",
            content_type="image/jpeg",
            size_bytes=100,
            width=10,
            height=10,
            sha256="0" * 64,
        )
        db.session.add(upload)
        db.session.flush()
        db.session.add(
            Attachment(
                compound_id=world.compound.id,
                upload_id=upload.id,
                subject_type="expense_receipt",
                subject_id=expense_id,
                public=True,
                position=position,
            )
        )
        ids.append(upload.id)
    db.session.flush()
    return ids
