"""Contracts that let the compound's assets: the counterparty, the price per cycle, the
period; registering one makes its payment schedule (the instalments expected), and
ending one early drops the instalments not yet due and unpaid, with a line saying why.
The committee keeps them; the committee and the finance supervisor read them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, select

from server.clock import SHANGHAI, utcnow
from server.errors import Conflict, NotFound, ValidationFailed
from server.extensions import db
from server.models.income import Asset, ContractInstalment, IncomeContract, IncomeRecord
from server.services.income import schedule
from server.services.income.access import (
    committee_compound,
    ensure_committee,
    ensure_reader,
    reader_compound,
)
from server.services.people import compounds, users
from server.services.people.access import Principal
from server.services.photos import attachments


def today() -> date:
    return utcnow().astimezone(SHANGHAI).date()


def create(principal: Principal, code: str, fields: dict, scan: list[int] | None):
    """A committee member registers a contract and its schedule. Raises NotFound
    (compound, asset), Forbidden, Conflict (archived; asset_inactive), ValidationFailed
    (end_not_after_start, contract_too_long, photos)."""
    compound = committee_compound(principal, code)
    start_on, end_on = fields["start_on"], fields["end_on"]
    if end_on <= start_on:
        raise ValidationFailed("结束日期要晚于开始日期", code="end_not_after_start")
    if end_on > schedule.latest_end(start_on):
        raise ValidationFailed("合同期限最长 10 年", code="contract_too_long")
    asset_id = fields.get("asset_id")
    if asset_id is not None:
        asset = db.session.get(Asset, asset_id)
        if asset is None or asset.compound_id != compound.id:
            raise NotFound("找不到该资产", code="asset_not_found")
        if not asset.active:
            raise Conflict("该资产已停用，不能再签合同", code="asset_inactive")
    contract = IncomeContract(
        compound_id=compound.id,
        asset_id=asset_id,
        counterparty=fields["counterparty"],
        kind=fields["kind"],
        price_fen=fields["price_fen"],
        cycle=fields["cycle"],
        start_on=start_on,
        end_on=end_on,
        note=fields.get("note"),
        created_by_id=principal.id,
    )
    with db.session.begin_nested():  # a refused scan leaves no contract behind
        db.session.add(contract)
        db.session.flush()
        db.session.add_all(
            ContractInstalment(
                contract_id=contract.id,
                compound_id=compound.id,
                due_on=due,
                amount_fen=contract.price_fen,
            )
            for due in schedule.due_dates(start_on, end_on, contract.cycle)
        )
        attachments.attach(principal, compound.id, "contract_scan", contract.id, scan)
    db.session.commit()
    return view(contract)


@dataclass(frozen=True)
class ContractView:
    """A contract with its asset's name, its instalments' standings and its scans."""

    contract: IncomeContract
    asset_name: str | None
    standings: list[schedule.Standing]
    scan: list[int]

    def _of(self, state: str) -> list[schedule.Standing]:
        return [s for s in self.standings if s.state == state]

    @property
    def next_due(self) -> ContractInstalment | None:
        due = self._of("due")
        return due[0].instalment if due else None

    @property
    def overdue(self) -> list[ContractInstalment]:
        return [s.instalment for s in self._of("overdue")]

    @property
    def paid_count(self) -> int:
        return len(self._of("paid"))

    @property
    def paid_fen(self) -> int:
        return sum(s.instalment.amount_fen for s in self._of("paid"))

    @property
    def waiting_count(self) -> int:
        return len(self._of("waiting"))

    @property
    def overdue_fen(self) -> int:
        return sum(i.amount_fen for i in self.overdue)


def views(contracts: list[IncomeContract]) -> list[ContractView]:
    """Each contract with its instalments' standings today (three queries in all)."""
    ids = [c.id for c in contracts]
    rows = db.session.execute(
        select(ContractInstalment, IncomeRecord.status)
        .outerjoin(IncomeRecord, IncomeRecord.id == ContractInstalment.income_id)
        .where(ContractInstalment.contract_id.in_(ids))
        .order_by(ContractInstalment.due_on)
    ).all()
    now = today()
    standings: dict[int, list[schedule.Standing]] = {i: [] for i in ids}
    for instalment, status in rows:
        standings[instalment.contract_id].append(schedule.standing(instalment, status, now))
    asset_ids = {c.asset_id for c in contracts if c.asset_id}
    names = dict(
        db.session.execute(select(Asset.id, Asset.name).where(Asset.id.in_(asset_ids))).all()
    )
    scans = attachments.of("contract_scan", ids)
    return [ContractView(c, names.get(c.asset_id), standings[c.id], scans[c.id]) for c in contracts]


def view(contract: IncomeContract) -> ContractView:
    return views([contract])[0]


def list_of(principal: Principal, code: str) -> list[ContractView]:
    """The compound's contracts, running ones first (committee, supervisor)."""
    compound = reader_compound(principal, code)
    contracts = db.session.scalars(
        select(IncomeContract)
        .where(IncomeContract.compound_id == compound.id)
        .order_by(IncomeContract.ended_at.is_not(None), IncomeContract.end_on.desc())
        .order_by(IncomeContract.id.desc())
    ).all()
    return views(list(contracts))


def find(principal: Principal, contract_id: int, *, lock: bool = False) -> IncomeContract:
    """A contract of the caller's compound. Raises NotFound."""
    query = select(IncomeContract).where(IncomeContract.id == contract_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    contract = db.session.scalars(query).first()
    if contract is None or contract.compound_id not in principal.compound_ids:
        raise NotFound("找不到该合同", code="contract_not_found")
    return contract


def get(principal: Principal, contract_id: int) -> ContractView:
    """One contract with its whole schedule (committee, supervisor)."""
    contract = find(principal, contract_id)
    ensure_reader(principal, contract.compound_id)
    return view(contract)


def end(principal: Principal, contract_id: int, reason: str) -> ContractView:
    """A committee member ends a contract early: instalments due after today with no
    income recorded are dropped, and the contract's note says when, by whom and why.
    Raises NotFound, Forbidden, Conflict (archived; contract_ended)."""
    contract = find(principal, contract_id, lock=True)
    ensure_committee(principal, contract.compound_id)
    compounds.ensure_open_id(contract.compound_id)
    if contract.ended_at is not None:
        raise Conflict("该合同已终止", code="contract_ended")
    now = today()
    dropped = db.session.execute(
        delete(ContractInstalment)
        .where(
            ContractInstalment.contract_id == contract.id,
            ContractInstalment.due_on > now,
            ContractInstalment.income_id.is_(None),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    contract.ended_at = utcnow()
    name = users.names_in(contract.compound_id, [principal.id])[principal.id]
    line = f"{now.isoformat()} {name}提前终止合同：{reason}。取消未到期的应收 {dropped} 期。"
    contract.note = f"{contract.note}\n{line}" if contract.note else line
    db.session.commit()
    return view(contract)
