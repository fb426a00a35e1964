"""Public income received: recorded by one committee member, counted when a second,
different one confirms it (the offline-payment rule: two people for every yuan). The
confirmation credits the co-construction fund in the ledger in the same transaction.

Income under a contract settles one of its instalments: the one named, else the oldest
with no income recorded. The record holds it while it waits (another record cannot take
it); a rejection frees it again, a confirmation makes it paid.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from server import labels
from server.clock import utcnow
from server.errors import Conflict, Forbidden, NotFound, ValidationFailed
from server.extensions import db
from server.models.income import ContractInstalment, IncomeContract, IncomeRecord
from server.services.income import contracts
from server.services.income.access import committee_compound, ensure_committee, reader_compound
from server.services.messaging import notify
from server.services.messaging.messages import Message, shorten, wx_time
from server.services.money import approvals, ledger
from server.services.people import compounds, users
from server.services.people.access import Principal, same_person
from server.services.photos import attachments

PAGE = "pages/income/index"


def record(principal: Principal, code: str, fields: dict, receipt: int | None) -> IncomeRecord:
    """A committee member records income received; it waits ("pending") for a second
    member, who is pushed it. Raises NotFound (compound, contract, instalment),
    Forbidden, Conflict (archived; instalment taken; nothing left to settle),
    ValidationFailed (received_on_in_future, contract_required, photo)."""
    compound = committee_compound(principal, code)
    if fields["received_on"] > contracts.today():
        raise ValidationFailed("收款日期不能晚于今天", code="received_on_in_future")
    contract = _contract(principal, compound.id, fields.get("contract_id"))
    if contract is None and fields.get("instalment_id"):
        raise ValidationFailed("要指定哪一期，请先选择合同", code="contract_required")
    income = IncomeRecord(
        compound_id=compound.id,
        kind=fields["kind"],
        amount_fen=fields["amount_fen"],
        received_on=fields["received_on"],
        method=fields["method"],
        contract_id=contract.id if contract else None,
        payer=contract.counterparty if contract else fields.get("payer"),
        note=fields.get("note"),
        recorded_by_id=principal.id,
    )
    with db.session.begin_nested():  # refused: no record left behind
        db.session.add(income)
        db.session.flush()
        if contract is not None:
            _hold(contract, fields.get("instalment_id")).income_id = income.id
        upload_ids = [receipt] if receipt else []
        attachments.attach(principal, compound.id, "income_receipt", income.id, upload_ids)
    _push_to_others(income, principal)
    db.session.commit()
    return income


def _contract(principal: Principal, compound_id: int, contract_id: int | None):
    if contract_id is None:
        return None
    contract = contracts.find(principal, contract_id)
    if contract.compound_id != compound_id:
        raise NotFound("找不到该合同", code="contract_not_found")
    return contract


def _hold(contract: IncomeContract, instalment_id: int | None) -> ContractInstalment:
    """The instalment this income settles, locked: the named one, else the oldest with
    no income recorded."""
    query = select(ContractInstalment).where(ContractInstalment.contract_id == contract.id)
    if instalment_id is not None:
        query = query.where(ContractInstalment.id == instalment_id)
    else:
        query = query.where(ContractInstalment.income_id.is_(None))
    instalment = db.session.scalars(
        query.order_by(ContractInstalment.due_on)
        .limit(1)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if instalment is None and instalment_id is not None:
        raise NotFound("该合同没有这一期应收款", code="instalment_not_found")
    if instalment is None:
        raise Conflict("该合同的每一期都已登记收款", code="nothing_due")
    if instalment.income_id is not None:
        raise Conflict("这一期已登记过收款", code="instalment_taken")
    return instalment


def _push_to_others(income: IncomeRecord, principal: Principal) -> None:
    """The compound's other committee members are pushed: income waits for them."""
    recorder = _name(income.compound_id, principal.id)
    what = f"{labels.label('income_kind', income.kind)} {_yuan(income.amount_fen)} 元"
    if income.payer:
        what += f"（{income.payer}）"
    message = Message(
        kind="income_pending",
        template="reminder",
        title=f"待确认公共收益：{shorten(what, 40)}",
        body=f"{recorder}登记了一笔公共收益：{what}。"
        "须由另一位业委会成员在小程序「公共收益」里确认后才计入共建基金。",
        data={
            "thing1": shorten("待确认公共收益"),
            "thing2": shorten(what),
            "time3": wx_time(income.created_at or utcnow()),
        },
        page=PAGE,
    )
    others = [
        uid
        for uid in notify.compound_members(income.compound_id, "committee")
        if not same_person(principal, uid)
    ]
    notify.deliver(
        message, others, notify.Occasion(f"inc{income.id}", income.compound_id), volunteers=True
    )


def _decidable(principal: Principal, income_id: int) -> IncomeRecord:
    """The pending record, row-locked, for a second committee member's decision.
    Raises NotFound, Conflict (archived; income_decided), Forbidden (not committee;
    the recorder)."""
    income = db.session.scalars(
        select(IncomeRecord)
        .where(IncomeRecord.id == income_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if income is None or income.compound_id not in principal.compound_ids:
        raise NotFound("找不到该笔收入记录", code="income_not_found")
    compounds.ensure_open_id(income.compound_id)
    ensure_committee(principal, income.compound_id)
    if same_person(principal, income.recorded_by_id):
        raise Forbidden("登记人不能确认自己登记的收入，请另一位业委会成员确认", code="same_person")
    if income.status != "pending":
        raise Conflict("该笔收入已处理", code="income_decided")
    return income


def confirm(principal: Principal, income_id: int) -> IncomeRecord:
    """A second committee member confirms: in one transaction the record counts, the
    co-construction fund is credited in the ledger and its instalment is paid."""
    income = _decidable(principal, income_id)
    income.status, income.decided_by_id, income.decided_at = "confirmed", principal.id, utcnow()
    ledger.append(
        income.compound_id,
        [
            ledger.Movement(
                account=income.fund,
                direction="credit",
                amount_fen=income.amount_fen,
                source_type="income",
                source_id=income.id,
                memo=_memo(income, principal),
            )
        ],
        principal.id,
    )
    _tell_recorder(income, principal, "已确认")
    db.session.commit()
    return income


def _memo(income: IncomeRecord, principal: Principal) -> str:
    """e.g. "广告收入，某某传媒，2026-12-01 一期，转账，张三登记，李四确认"."""
    parts = [labels.label("income_kind", income.kind)]
    if income.payer:
        parts.append(income.payer)
    instalment = _instalment_of(income)
    if instalment is not None:
        parts.append(f"{instalment.due_on.isoformat()} 一期")
    names = users.names_in(income.compound_id, (income.recorded_by_id, principal.id))
    parts += [
        labels.label("pay_method", income.method),
        f"{names[income.recorded_by_id]}登记",
        f"{names[principal.id]}确认",
    ]
    return "，".join(parts)[:200]


def reject(principal: Principal, income_id: int, reason: str) -> IncomeRecord:
    """A second committee member rejects with a reason: nothing is counted and the
    instalment it held waits for income again."""
    income = _decidable(principal, income_id)
    income.status, income.decided_by_id, income.decided_at = "rejected", principal.id, utcnow()
    income.reason = reason
    instalment = _instalment_of(income)
    if instalment is not None:
        instalment.income_id = None
    _tell_recorder(income, principal, "已驳回")
    db.session.commit()
    return income


def _tell_recorder(income: IncomeRecord, principal: Principal, verdict: str) -> None:
    decider = _name(income.compound_id, principal.id)
    what = f"{labels.label('income_kind', income.kind)} {_yuan(income.amount_fen)} 元"
    body = f"{decider}{verdict}您登记的公共收益：{what}。"
    if income.reason:
        body += f"理由：{income.reason}"
    message = Message(
        kind="income_decided",
        template="reminder",
        title=f"{verdict}：{what}",
        body=body,
        data={},
        page=PAGE,
    )
    occasion = notify.Occasion(f"inc{income.id}d", income.compound_id)
    notify.deliver(message, [income.recorded_by_id], occasion, inbox_only=True)


def _instalment_of(income: IncomeRecord) -> ContractInstalment | None:
    return db.session.scalars(
        select(ContractInstalment).where(ContractInstalment.income_id == income.id)
    ).first()


@dataclass(frozen=True)
class IncomeView:
    """A record as the committee and the supervisor see it."""

    income: IncomeRecord
    recorded_by: str
    decided_by: str | None
    instalment: ContractInstalment | None
    receipt: list[int]
    mine: bool  # the caller recorded it (so cannot decide it)


def list_of(principal: Principal, code: str, status: str | None) -> list[IncomeView]:
    """The compound's income records, newest first (committee, supervisor)."""
    compound = reader_compound(principal, code)
    query = select(IncomeRecord).where(IncomeRecord.compound_id == compound.id)
    if status:
        query = query.where(IncomeRecord.status == status)
    rows = list(db.session.scalars(query.order_by(IncomeRecord.id.desc()).limit(200)))
    return views(principal, rows)


def views(principal: Principal, rows: list[IncomeRecord]) -> list[IncomeView]:
    ids = [r.id for r in rows]
    held = {
        i.income_id: i
        for i in db.session.scalars(
            select(ContractInstalment).where(ContractInstalment.income_id.in_(ids))
        )
    }
    receipts = attachments.of("income_receipt", ids)
    names = {}
    for r in rows:
        if r.compound_id not in names:
            who = [x.recorded_by_id for x in rows] + [x.decided_by_id for x in rows]
            names[r.compound_id] = users.names_in(r.compound_id, who)
    return [
        IncomeView(
            r,
            names[r.compound_id][r.recorded_by_id],
            names[r.compound_id].get(r.decided_by_id),
            held.get(r.id),
            receipts[r.id],
            same_person(principal, r.recorded_by_id),
        )
        for r in rows
    ]


def view(principal: Principal, income: IncomeRecord) -> IncomeView:
    return views(principal, [income])[0]


def _name(compound_id: int, user_id: int) -> str:
    return users.names_in(compound_id, [user_id])[user_id]


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def waiting_count(principal: Principal, code: str) -> int:
    """How many pending records the caller may confirm (approvals.records_waiting_for)."""
    return approvals.records_waiting_for(principal, code, IncomeRecord)
