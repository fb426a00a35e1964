"""Collection figures for a period, the unpaid lists, reminders and the Excel export."""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import Select, func, select
from sqlalchemy.orm import InstrumentedAttribute, aliased

from server.errors import Forbidden, NotFound
from server.extensions import db
from server.models import (
    Bill,
    Building,
    FeeItem,
    Household,
    Membership,
    OfflinePayment,
    OfflinePaymentBill,
    Payment,
    PaymentBill,
    SubscriptionQuota,
    Unit,
    User,
    utcnow,
)
from server.models.base import SHANGHAI
from server.services import compounds, notify
from server.services.access import Principal
from server.services.fees import billing_period, parse_month
from server.services.messages import Message, wx_time


def _periods(month: str) -> list[str]:
    """The bill periods a month's figures cover: the month, its quarter and its year."""
    return sorted({billing_period(cycle, month) for cycle in ("monthly", "quarterly", "yearly")})


def _bill_rows(compound_id: int, month: str):
    return db.session.execute(
        select(
            Bill.household_id,
            Bill.amount_fen,
            Bill.status,
            Building.number,
            Unit.number,
            Household.room,
            Household.unit_id,
        )
        .join(Household, Household.id == Bill.household_id)
        .join(Unit, Unit.id == Household.unit_id)
        .join(Building, Building.id == Household.building_id)
        .where(
            Bill.compound_id == compound_id,
            Bill.period.in_(_periods(month)),
            Bill.status != "cancelled",  # its meter reading was voided: owed by nobody
        )
    ).all()


@dataclass
class Tally:
    billed_fen: int = 0
    collected_fen: int = 0

    def __post_init__(self):
        self.households: set[int] = set()
        self.unpaid: set[int] = set()

    def add(self, household_id: int, amount: int, status: str) -> None:
        self.households.add(household_id)
        self.billed_fen += amount
        if status == "paid":
            self.collected_fen += amount
        else:
            self.unpaid.add(household_id)

    def summary(self) -> dict:
        billed = len(self.households)
        paid = billed - len(self.unpaid)
        return {
            "households_billed": billed,
            "households_paid": paid,
            "collection_rate": round(paid / billed, 4) if billed else None,
            "billed_fen": self.billed_fen,
            "collected_fen": self.collected_fen,
        }


def summary(principal: Principal, code: str, month: str) -> dict:
    """Households billed and paid, the collection rate, billed vs collected fen, for the
    compound and per building and unit. For the committee and the supervisor."""
    parse_month(month)
    compound = compounds.member_compound(principal, code)
    if not (principal.committee_of(compound.id) or principal.supervisor_of(compound.id)):
        raise Forbidden("只有业委会和财务监督可以查看收缴情况", code="committee_only")
    total, buildings, units = Tally(), defaultdict(Tally), defaultdict(Tally)
    for household_id, amount, status, building_no, unit_no, _room, _unit_id in _bill_rows(
        compound.id, month
    ):
        for tally in (total, buildings[building_no], units[(building_no, unit_no)]):
            tally.add(household_id, amount, status)
    return {
        "period": month,
        **total.summary(),
        "by_building": [{"building": b, **t.summary()} for b, t in sorted(buildings.items())],
        "by_unit": [
            {"building": b, "unit": u, "label": f"{b}-{u}", **t.summary()}
            for (b, u), t in sorted(units.items())
        ],
    }


def unpaid(principal: Principal, code: str, month: str) -> list[dict]:
    """Households with unpaid bills: every one for the committee, a liaison's own units
    for a liaison. Raises Forbidden for anyone else."""
    parse_month(month)
    compound = compounds.member_compound(principal, code)
    committee = principal.committee_of(compound.id) or principal.supervisor_of(compound.id)
    units = {m.unit_id for m in principal.memberships if m.role == "liaison"}
    if not committee and not units:
        raise Forbidden("只有联络人和业委会可以查看未缴名单", code="not_a_collector")
    owed: dict[int, dict] = {}
    for household_id, amount, status, b, u, room, unit_id in _bill_rows(compound.id, month):
        if status == "paid" or (not committee and unit_id not in units):
            continue
        row = owed.setdefault(
            household_id,
            {"household_id": household_id, "label": f"{b}-{u}-{room}", "owed_fen": 0, "bills": 0},
        )
        row["owed_fen"] += amount
        row["bills"] += 1
    return sorted(owed.values(), key=lambda r: r["label"])


def remind_unpaid(month: str | None = None) -> int:
    """Remind households with unpaid bills (job): a push to residents who allowed one,
    otherwise a line in the unit liaison's inbox to remind them in person."""
    month = month or utcnow().astimezone(SHANGHAI).strftime("%Y-%m")
    reminded = 0
    rows = db.session.execute(
        select(Bill.compound_id, Bill.household_id, func.sum(Bill.amount_fen))
        .where(Bill.status == "unpaid", Bill.period.in_(_periods(month)))
        .group_by(Bill.compound_id, Bill.household_id)
    ).all()
    for compound_id, household_id, owed in rows:
        _remind(compound_id, household_id, int(owed), month)
        reminded += 1
    db.session.commit()
    return reminded


def _remind(compound_id: int, household_id: int, owed_fen: int, month: str) -> None:
    residents = list(
        db.session.scalars(
            select(Membership.user_id).where(
                Membership.role == "resident", Membership.household_id == household_id
            )
        )
    )
    # One reminder a day at most: a second run the same day adds nothing.
    today = utcnow().astimezone(SHANGHAI).strftime("%Y%m%d")
    occasion = notify.Occasion(f"fee{month}h{household_id}d{today}", compound_id)
    yuan = f"{owed_fen / 100:.2f}"
    message = Message(
        kind="fee_reminder",
        template="reminder",
        title=f"{month} 待缴费用 {yuan} 元",
        body=f"您家有 {yuan} 元费用待缴，可在小程序里用微信支付，或交给单元联络人。",
        data={"thing1": f"{month}待缴费用", "thing2": f"待缴{yuan}元", "time3": wx_time(utcnow())},
        page="pages/bills/index",
    )
    if _anyone_has_quota(residents):
        notify.deliver(message, residents, occasion)
        return
    household = db.session.get(Household, household_id)
    liaisons = db.session.scalars(
        select(Membership.user_id).where(
            Membership.role == "liaison", Membership.unit_id == household.unit_id
        )
    ).all()
    label = f"{household.unit.label}-{household.room}"
    task = Message(
        kind="fee_task",
        template="reminder",
        title=f"请提醒 {label} 缴费",
        body=f"{label} 有 {yuan} 元费用未缴（{month}），住户未开通消息提醒，请上门告知。",
        data={},
        page="pages/collect/index",
    )
    notify.deliver(message, residents, occasion, inbox_only=True)
    task_occasion = notify.Occasion(f"feetask{month}h{household_id}d{today}", compound_id)
    notify.deliver(task, liaisons, task_occasion, inbox_only=True)


def _anyone_has_quota(user_ids: list[int]) -> bool:
    template_id = current_app.config["WECHAT_SUBSCRIBE_TEMPLATES"].get("reminder")
    if not user_ids or not template_id:
        return False
    return bool(
        db.session.scalar(
            select(func.count()).where(
                SubscriptionQuota.user_id.in_(user_ids),
                SubscriptionQuota.template_id == template_id,
                SubscriptionQuota.remaining > 0,
            )
        )
    )


# ----- export -----


BILL_STATUS_ZH = {"unpaid": "未缴", "pending": "缴费中", "paid": "已缴", "cancelled": "已作废"}
PAYMENT_STATUS_ZH = {
    "pending": "待支付",
    "paid": "已支付",
    "closed": "已关闭",
    "disputed": "金额异常",  # WeChat Pay took another amount than the order's
}
OFFLINE_STATUS_ZH = {"pending": "待确认", "confirmed": "已确认", "rejected": "已驳回"}
METHOD_ZH = {"cash": "现金", "transfer": "转账", "other": "其他"}
BILL_COLUMNS = ["账单号", "房屋", "收费项目", "账期", "金额（元）", "状态", "缴费时间", "缴费方式"]
PAYMENT_COLUMNS = [
    "缴费方式",
    "房屋",
    "账单号",
    "账期",
    "金额（元）",
    "状态",
    "商户订单号",
    "微信支付单号",
    "缴费时间",
    "登记人",
    "确认/驳回人",
    "处理时间",
    "驳回理由",
]


def export_xlsx(principal: Principal, code: str, month: str) -> bytes:
    """A period's bills and the payments that settled them, as Excel (committee, supervisor):
    a sheet "账单", one row per bill, and a sheet "缴费记录", one row per online or offline
    payment covering any of them, whatever its status."""
    parse_month(month)
    compound = compounds.member_compound(principal, code)
    if not (principal.committee_of(compound.id) or principal.supervisor_of(compound.id)):
        raise Forbidden("只有业委会和财务监督可以导出", code="committee_only")
    workbook = Workbook()
    bills_sheet = workbook.active
    bills_sheet.title = "账单"
    _header(bills_sheet, BILL_COLUMNS)
    for row in _bill_export_rows(compound.id, month):
        bills_sheet.append(row)
    payments_sheet = workbook.create_sheet("缴费记录")
    _header(payments_sheet, PAYMENT_COLUMNS)
    for row in _online_payment_rows(compound.id, month) + _offline_payment_rows(compound.id, month):
        payments_sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _header(sheet, names: list[str]) -> None:
    sheet.append(names)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"


def _zh(names: dict[str, str], value: str | None) -> str:
    """A status or method in Chinese; one not known here is shown as stored."""
    return names.get(value, value or "")


def _shanghai(moment: datetime | None) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if moment else ""


def _yuan(fen: int) -> float:
    return round(fen / 100, 2)


def _bill_export_rows(compound_id: int, month: str) -> list[list]:
    # How a paid bill was paid is what holds it (`Bill.held_by`): "payment:<id>" is
    # WeChat Pay, "offline:<id>" the method of that cash or transfer payment.
    methods = {
        f"offline:{payment_id}": method
        for payment_id, method in db.session.execute(
            select(OfflinePayment.id, OfflinePayment.method).where(
                OfflinePayment.compound_id == compound_id, OfflinePayment.status == "confirmed"
            )
        )
    }
    rows = db.session.execute(
        select(Bill, FeeItem.name, Building.number, Unit.number, Household.room)
        .join(FeeItem, FeeItem.id == Bill.fee_item_id)
        .join(Household, Household.id == Bill.household_id)
        .join(Unit, Unit.id == Household.unit_id)
        .join(Building, Building.id == Household.building_id)
        .where(Bill.compound_id == compound_id, Bill.period.in_(_periods(month)))
        .order_by(Building.number, Unit.number, Household.floor, Household.room)
    ).all()
    return [
        [
            bill.id,
            f"{b}-{u}-{room}",
            item_name,
            bill.period,
            _yuan(bill.amount_fen),
            _zh(BILL_STATUS_ZH, bill.status),
            _shanghai(bill.paid_at),
            _paid_how(bill, methods),
        ]
        for bill, item_name, b, u, room in rows
    ]


def _paid_how(bill: Bill, methods: dict[str, str]) -> str:
    if bill.status != "paid" or not bill.held_by:
        return ""
    if bill.held_by.startswith("payment:"):
        return "微信支付"
    return _zh(METHOD_ZH, methods.get(bill.held_by))


def _period_bill_ids(compound_id: int, month: str) -> Select:
    """The ids of the compound's bills of the period, as a subquery."""
    return select(Bill.id).where(Bill.compound_id == compound_id, Bill.period.in_(_periods(month)))


def _covered_bills(
    link: type[PaymentBill | OfflinePaymentBill],
    payment_column: InstrumentedAttribute[int],
    payment_ids: Select,
) -> dict[int, tuple[str, str]]:
    """Per payment, the ids and the periods of every bill it covers, oldest period first
    (one query), as text: "8, 2" and "2026-11, 2026-12"."""
    covered: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for payment_id, bill_id, period in db.session.execute(
        select(payment_column, Bill.id, Bill.period)
        .join(Bill, Bill.id == link.bill_id)
        .where(payment_column.in_(payment_ids))
        .order_by(Bill.period, Bill.id)
    ):
        covered[payment_id].append((bill_id, period))
    return {
        payment_id: (
            ", ".join(str(bill_id) for bill_id, _ in bills),
            ", ".join(sorted({period for _, period in bills})),
        )
        for payment_id, bills in covered.items()
    }


def _online_payment_rows(compound_id: int, month: str) -> list[list]:
    """WeChat Pay orders covering bills of the period, one row each (two queries)."""
    payment_ids = select(PaymentBill.payment_id).where(
        PaymentBill.bill_id.in_(_period_bill_ids(compound_id, month))
    )
    covered = _covered_bills(PaymentBill, PaymentBill.payment_id, payment_ids)
    rows = db.session.execute(
        select(Payment, Building.number, Unit.number, Household.room)
        .join(Household, Household.id == Payment.household_id)
        .join(Unit, Unit.id == Household.unit_id)
        .join(Building, Building.id == Household.building_id)
        .where(Payment.compound_id == compound_id, Payment.id.in_(payment_ids))
        .order_by(Payment.created_at, Payment.id)
    ).all()
    return [
        [
            "微信支付",
            f"{b}-{u}-{room}",
            *covered.get(payment.id, ("", "")),
            _yuan(payment.total_fen),
            _zh(PAYMENT_STATUS_ZH, payment.status),
            payment.out_trade_no,
            payment.transaction_id or "",
            _shanghai(payment.paid_at),
            "",
            "",
            "",
            "",
        ]
        for payment, b, u, room in rows
    ]


def _offline_payment_rows(compound_id: int, month: str) -> list[list]:
    """Cash and transfers covering bills of the period, one row each, with who recorded
    and who decided them (two queries)."""
    payment_ids = select(OfflinePaymentBill.offline_payment_id).where(
        OfflinePaymentBill.bill_id.in_(_period_bill_ids(compound_id, month))
    )
    covered = _covered_bills(OfflinePaymentBill, OfflinePaymentBill.offline_payment_id, payment_ids)
    recorder, decider = aliased(User), aliased(User)
    rows = db.session.execute(
        select(
            OfflinePayment,
            Building.number,
            Unit.number,
            Household.room,
            recorder.id,
            recorder.nickname,
            decider.id,
            decider.nickname,
        )
        .join(Household, Household.id == OfflinePayment.household_id)
        .join(Unit, Unit.id == Household.unit_id)
        .join(Building, Building.id == Household.building_id)
        .join(recorder, recorder.id == OfflinePayment.recorded_by_id)
        .outerjoin(decider, decider.id == OfflinePayment.decided_by_id)
        .where(OfflinePayment.compound_id == compound_id, OfflinePayment.id.in_(payment_ids))
        .order_by(OfflinePayment.created_at, OfflinePayment.id)
    ).all()
    return [
        [
            _zh(METHOD_ZH, payment.method),
            f"{b}-{u}-{room}",
            *covered.get(payment.id, ("", "")),
            _yuan(payment.amount_fen),
            _zh(OFFLINE_STATUS_ZH, payment.status),
            "",
            "",
            payment.paid_on.isoformat(),
            _display_name(recorder_id, recorder_name),
            _display_name(decider_id, decider_name),
            _shanghai(payment.decided_at),
            payment.reason or "",
        ]
        for payment, b, u, room, recorder_id, recorder_name, decider_id, decider_name in rows
    ]


def _display_name(user_id: int | None, nickname: str | None) -> str:
    """How a volunteer appears in the export: their WeChat nickname, or their user number."""
    if user_id is None:
        return ""
    return nickname or f"用户{user_id}"


def household_unpaid_bills(principal: Principal, household_id: int) -> list[Bill]:
    """A household's unpaid bills, for the collector about to take cash: the unit's
    liaison or the committee. Raises NotFound or Forbidden."""
    household = db.session.get(Household, household_id)
    if household is None or household.compound_id not in principal.compound_ids:
        raise NotFound("找不到该房屋", code="household_not_found")
    collector = principal.liaison_of(household.unit_id) or principal.committee_of(
        household.compound_id
    )
    if not collector:
        raise Forbidden("只有本单元联络人或业委会成员可以查看", code="not_a_collector")
    return list(
        db.session.scalars(
            select(Bill)
            .where(Bill.household_id == household.id, Bill.status == "unpaid")
            .order_by(Bill.period, Bill.id)
        )
    )
