"""Binding people to households: a request a liaison or the committee reviews.

(Door invites, the census-day path, are in `services/people/invites.py`.)

A request in an archived compound stays as it was: nobody decides, withdraws or expires
it, and it no longer counts against its requester's limit of waiting requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from server.clock import utcnow
from server.errors import Conflict, Forbidden, NotFound
from server.extensions import db
from server.labels import label
from server.models import BindingRequest, Household, Unit, User
from server.services import cursors
from server.services.census import consent
from server.services.people import compounds, household_joins, roles
from server.services.people.access import Principal, record_access, same_person
from server.services.privacy import consent_views

PENDING_DAYS = 30
# One person waits on at most this many requests at once, and a stairwell unit's
# reviewers on at most this many: a flood (132 requests in 4 s) cannot bury a real
# request, nor fill a queue faster than the route's rate limit (BINDING_RATE) allows.
MAX_PENDING_PER_USER = 3
MAX_PENDING_PER_UNIT = 20


def request_binding(
    principal: Principal,
    *,
    compound_code: str,
    building: int,
    unit: int,
    room: str,
    name: str,
    relation: str,
    consent_version: int | None = None,
) -> BindingRequest:
    """Ask to be bound to a household, consenting to the binding notice (the version the
    app showed; none named: the current one). Raises NotFound (no such room), Conflict
    (already bound there, a request for it is already waiting, or too many are),
    ValidationFailed (bad_consent_version)."""
    consent_views.known_version("binding", consent_version)
    compound = compounds.get_compound(compound_code)
    compounds.ensure_open(compound)
    household = compounds.find_household(compound, building, unit, room)
    if principal.resident_of(household.id):
        raise Conflict("您已经绑定了这一户", code="already_bound")
    compound_id, household_id = compound.id, household.id
    _check_pending_limits(principal.id, household.unit_id)
    request = BindingRequest(
        compound_id=compound_id,
        household_id=household_id,
        user_id=principal.id,
        name=name.strip(),
        relation=relation,
        open_key=_open_key(principal.id, household_id),
    )
    try:
        with db.session.begin_nested():
            db.session.add(request)
    except IntegrityError:
        raise Conflict("您对这一户的绑定申请正在审核中", code="binding_pending") from None
    consent.record(
        "binding",
        compound_id,
        version=consent_version,
        household_id=household_id,
        user_id=principal.id,
        method="app",
    )
    db.session.commit()
    return request


def _check_pending_limits(user_id: int, unit_id: int) -> None:
    """Refuse a request past the per-person or per-unit limit of pending ones. The
    person's and the unit's rows are locked (in that order) so that requests sent at
    once are counted one after the other."""
    # The lookups so far read a snapshot taken before these locks (MariaDB's repeatable
    # read): end that transaction, so the counts, read after the locks, see every
    # request committed meanwhile. (Nothing was written yet; only ids are used below.)
    db.session.commit()
    db.session.execute(select(User.id).where(User.id == user_id).with_for_update())
    db.session.execute(select(Unit.id).where(Unit.id == unit_id).with_for_update())
    pending = (
        select(func.count()).select_from(BindingRequest).where(BindingRequest.status == "pending")
    )
    mine = db.session.scalar(
        pending.where(
            BindingRequest.user_id == user_id,
            BindingRequest.compound_id.in_(compounds.open_compound_ids()),
        )
    )
    if mine >= MAX_PENDING_PER_USER:
        raise Conflict(
            f"您已有 {mine} 条绑定申请在审核中，请等审核结果或撤回一条后再申请",
            code="too_many_pending",
            details={"limit": MAX_PENDING_PER_USER},
        )
    in_unit = db.session.scalar(
        pending.join(Household, Household.id == BindingRequest.household_id).where(
            Household.unit_id == unit_id
        )
    )
    if in_unit >= MAX_PENDING_PER_UNIT:
        raise Conflict(
            "这个单元待审核的申请太多了，请直接联系单元联络人",
            code="unit_queue_full",
            details={"limit": MAX_PENDING_PER_UNIT},
        )


def list_mine(principal: Principal) -> list[BindingRequest]:
    """The caller's own requests, newest first."""
    return list(
        db.session.scalars(
            _with_household(select(BindingRequest))
            .where(BindingRequest.user_id == principal.id)
            .order_by(BindingRequest.id.desc())
            .limit(50)
        )
    )


@dataclass(frozen=True)
class ReviewPage:
    items: list[BindingRequest]
    next_cursor: str | None
    total: int


def list_for_review(
    principal: Principal, status: str = "pending", *, cursor: str | None = None, limit: int = 50
) -> ReviewPage:
    """Requests the caller may decide (their units as liaison, their compounds as
    committee), oldest first, a page at a time: `cursor` from the previous page reaches
    every one. Names are personal data, so every request shown is written to the
    access log. Raises Forbidden (not a reviewer), ValidationFailed (bad_cursor).
    """
    compound_ids, unit_ids = principal.review_scope()
    if not compound_ids and not unit_ids:
        raise Forbidden("只有单元联络人和业委会成员可以审核绑定申请", code="not_a_reviewer")
    after = cursors.decode(cursor)
    scope = (
        BindingRequest.compound_id.in_(compound_ids)
        | BindingRequest.household_id.in_(
            select(Household.id).where(Household.unit_id.in_(unit_ids))
        ),
        BindingRequest.status == status,
    )
    query = _with_household(select(BindingRequest)).where(*scope)
    if after is not None:
        query = query.where(BindingRequest.id > after)
    rows = list(db.session.scalars(query.order_by(BindingRequest.id).limit(limit + 1)))
    requests, more = rows[:limit], len(rows) > limit
    total = db.session.scalar(select(func.count()).select_from(BindingRequest).where(*scope))
    for compound_id in {r.compound_id for r in requests}:
        ids = [r.id for r in requests if r.compound_id == compound_id]
        record_access(principal, "list", "binding_request", ids, compound_id)
    db.session.commit()
    return ReviewPage(requests, cursors.encode(requests[-1].id) if more else None, total)


def approve(principal: Principal, request_id: int) -> BindingRequest:
    """Approve a pending request: the requester becomes a resident of the household.

    Raises NotFound, Forbidden (not the unit's liaison or the committee, or one's own
    request), Conflict (already decided).
    """
    request = _reviewable(principal, request_id)
    _decide(request, principal, "approved")
    _ensure_resident(request, principal)
    household_joins.approved(request.household, request.user_id, request.relation, request.id)
    db.session.commit()
    return request


def reject(principal: Principal, request_id: int, reason: str) -> BindingRequest:
    """Reject a pending request with a reason the requester will read."""
    request = _reviewable(principal, request_id)
    _decide(request, principal, "rejected", reason=reason.strip())
    household_joins.rejected(request.household, request.user_id, request.reason, request.id)
    db.session.commit()
    return request


def cancel(principal: Principal, request_id: int) -> BindingRequest:
    """The requester withdraws their own pending request."""
    request = _locked_open(request_id, lambda r: r.user_id == principal.id)
    _decide(request, principal, "cancelled")
    db.session.commit()
    return request


def expire_stale(now=None) -> int:
    """Expire requests nobody decided within PENDING_DAYS (a scheduled job). Returns count."""
    cutoff = (now or utcnow()) - timedelta(days=PENDING_DAYS)
    count = db.session.execute(
        update(BindingRequest)
        .where(
            BindingRequest.status == "pending",
            BindingRequest.created_at < cutoff,
            BindingRequest.compound_id.in_(compounds.open_compound_ids()),
        )
        .values(status="expired", open_key=None, decided_at=utcnow())
    ).rowcount
    db.session.commit()
    return count


def _with_household(query):
    return query.options(
        joinedload(BindingRequest.household).joinedload(Household.unit).joinedload(Unit.building)
    )


def _open_key(user_id: int, household_id: int) -> str:
    return f"{user_id}:{household_id}"


def _reviewable(principal: Principal, request_id: int) -> BindingRequest:
    request = _locked_open(request_id, lambda r: r.compound_id in principal.compound_ids)
    if not principal.reviews_household(request.household):
        raise Forbidden("只有该单元的联络人或业委会成员可以审核", code="not_reviewer_of_unit")
    if same_person(principal, request.user_id):
        raise Forbidden("不能审核自己的绑定申请", code="own_request")
    return request


def _locked_open(request_id: int, visible) -> BindingRequest:
    """The request, row-locked, to decide or withdraw: every change of a request starts
    here. `visible(request)` says whether the caller may know of it at all.

    Raises NotFound, Conflict (its compound is archived).
    """
    # A locking read: it also sees a decision committed meanwhile.
    request = db.session.scalars(
        select(BindingRequest)
        .where(BindingRequest.id == request_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if request is None or not visible(request):
        raise NotFound("找不到该绑定申请", code="binding_not_found")
    compounds.ensure_open_id(request.compound_id)
    return request


def _decide(request: BindingRequest, principal: Principal, status: str, reason=None) -> None:
    """Move a pending request to `status`, once (the row is locked; the update is
    conditional as well, for databases without row locks)."""
    if request.status != "pending":
        raise Conflict(
            f"该申请已处理（{label('binding_status', request.status)}）", code="binding_decided"
        )
    changed = db.session.execute(
        update(BindingRequest)
        .where(BindingRequest.id == request.id, BindingRequest.status == "pending")
        .values(
            status=status,
            open_key=None,
            reason=reason,
            decided_at=utcnow(),
            decided_by_id=principal.id,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        raise Conflict("该申请已被他人处理", code="binding_decided")
    db.session.refresh(request)


def _ensure_resident(request: BindingRequest, reviewer: Principal) -> None:
    """The requester becomes a resident; the household hears who joined, approved by whom."""
    _membership, created = roles.grant(
        request.user_id,
        "resident",
        request.household,
        relation=request.relation,
        name=request.name,
        granted_by_id=request.decided_by_id,
    )
    if not created:
        return  # bound meanwhile (an invite): that joining was announced
    role = "单元联络人" if reviewer.liaison_of(request.household.unit_id) else "业委会成员"
    approver = household_joins.person_name(reviewer.id, request.household.compound_id)
    household_joins.announce(
        household_joins.Join(
            household=request.household,
            user_id=request.user_id,
            name=request.name,
            relation=request.relation,
            how=f"经{role}{f' {approver} ' if approver else ''}审核通过",
            key=f"join-br{request.id}",
            actor_id=reviewer.id,
        )
    )
