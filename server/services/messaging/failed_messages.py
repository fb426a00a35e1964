"""Messages WeChat refused for good, for the compound's committee."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from server.errors import Forbidden
from server.extensions import db
from server.models import User
from server.models.messaging import OutboxMessage
from server.services.people import compounds
from server.services.people.access import Principal


@dataclass(frozen=True)
class FailedMessage:
    message: OutboxMessage
    recipient: str | None


def failed_for(principal: Principal, code: str, limit: int = 100) -> list[FailedMessage]:
    """Messages that could not be delivered for good, with whom they were for, for the
    compound's committee."""
    compound = compounds.member_compound(principal, code)
    if not principal.committee_of(compound.id):
        raise Forbidden("只有业委会成员可以查看发送失败的消息", code="committee_only")
    rows = db.session.execute(
        select(OutboxMessage, User.nickname)
        .join(User, User.id == OutboxMessage.user_id)
        .where(OutboxMessage.compound_id == compound.id, OutboxMessage.status == "failed")
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    ).all()
    return [FailedMessage(message, nickname) for message, nickname in rows]
