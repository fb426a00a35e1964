"""Who viewed a household's record, as the household reads it: each reading of its
phones, tags, visits or export by someone else, the reader shown by role and a masked
name ("单元联络人 张*"), the reason given."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from server.extensions import db
from server.labels import label
from server.models import AccessLog, Household, HouseholdCensus
from server.services import cursors
from server.services.people import users
from server.services.privacy.access_log import SEEN, roles_in


@dataclass(frozen=True)
class View:
    at: datetime
    who: str  # role and masked name: "单元联络人 张*"
    action: str
    action_label: str
    reason: str | None


@dataclass(frozen=True)
class ViewPage:
    items: list[View]
    next_cursor: str | None


# Entries of one reading (a row per phone read) are written within this of each other.
SAME_READING = timedelta(seconds=2)


def history_from(household_id: int):
    """Where this household's own history starts: the last time one moved out (None:
    the whole of it)."""
    return db.session.scalar(
        select(HouseholdCensus.history_from).where(HouseholdCensus.household_id == household_id)
    )


_CHUNK = 200


def views_of(household: Household, cursor: str | None = None, limit: int = 50) -> ViewPage:
    """Who read or exported the household's record, newest first, `limit` readings a
    page; a reading of several phones at once is one line. Raises ValidationFailed
    (bad_cursor)."""
    groups: list[list[AccessLog]] = []
    after = cursors.decode(cursor)
    since = history_from(household.id)
    while len(groups) <= limit:
        query = select(AccessLog).where(AccessLog.household_id == household.id)
        if since is not None:  # the previous household's readers are not this one's
            query = query.where(AccessLog.created_at >= since)
        if after is not None:
            query = query.where(AccessLog.id < after)
        rows = db.session.scalars(query.order_by(AccessLog.id.desc()).limit(_CHUNK)).all()
        for row in rows:
            if groups and _same_reading(groups[-1][-1], row):
                groups[-1].append(row)
            else:
                groups.append([row])
        if len(rows) < _CHUNK:
            break
        after = rows[-1].id
    more = len(groups) > limit
    groups = groups[:limit]
    firsts = [group[0] for group in groups]
    compound_id = household.compound_id
    names = users.names_in(compound_id, [row.actor_id for row in firsts])
    roles = roles_in(compound_id, [row.actor_id for row in firsts])
    items = [
        View(
            at=row.created_at,
            who=_who(names.get(row.actor_id), roles.get(row.actor_id)),
            action=row.action,
            action_label=label("access_action", row.action, SEEN),
            reason=row.reason,
        )
        for row in firsts
    ]
    return ViewPage(items, cursors.encode(groups[-1][-1].id) if more else None)


def _same_reading(earlier: AccessLog, row: AccessLog) -> bool:
    return (
        row.actor_id == earlier.actor_id
        and row.action == earlier.action
        and row.reason == earlier.reason
        and abs(earlier.created_at - row.created_at) <= SAME_READING
    )


def _who(name: str | None, role: str | None) -> str:
    masked = mask_name(name) if name else "系统"
    return f"{label('role', role)} {masked}" if role else masked


def mask_name(name: str) -> str:
    """The first character and a star: "张*" (enough to recognise a neighbour by)."""
    return name[:1] + "*"
