"""Reminding households of unpaid bills (a daily job): a push to residents who allowed
one, otherwise a line in the unit liaison's inbox to remind them in person. An archived
compound's households are not reminded: it takes no payment any more."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select

from server.clock import SHANGHAI, utcnow
from server.extensions import db
from server.models import Bill, Household, Membership, SubscriptionQuota
from server.services.messaging import notify
from server.services.messaging.messages import Message, wx_time
from server.services.money.collection import periods_of_month
from server.services.people.compounds import open_compound_ids


def remind_unpaid(month: str | None = None) -> int:
    """Remind households with unpaid bills (job): a push to residents who allowed one,
    otherwise a line in the unit liaison's inbox to remind them in person."""
    month = month or utcnow().astimezone(SHANGHAI).strftime("%Y-%m")
    reminded = 0
    rows = db.session.execute(
        select(Bill.compound_id, Bill.household_id, func.sum(Bill.amount_fen))
        .where(
            Bill.status == "unpaid",
            Bill.period.in_(periods_of_month(month)),
            Bill.compound_id.in_(open_compound_ids()),
        )
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
