"""Comments on a proposal during its notice: owners of the compound (shown as
"3号楼2单元业主", never their room or name) and the committee (shown as 业委会). A
comment stays with the version it was made on."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from server.clock import utcnow
from server.errors import Conflict, Forbidden
from server.extensions import db
from server.models import Building, Household, ProposalComment, Unit
from server.ratelimit import throttle
from server.services import cursors
from server.services.decisions import access
from server.services.people import compounds
from server.services.people.access import Principal

PAGE_SIZE = 50
COMMITTEE = "业委会"


def listing(
    principal: Principal, proposal_id: int, *, version: int | None, cursor: str | None
) -> tuple[list[dict], str | None]:
    """A proposal's comments, oldest first, a page at a time (whoever may read it).
    Raises NotFound, Forbidden (owners_only), ValidationFailed (bad_cursor)."""
    proposal = access.readable(principal, proposal_id)
    after = cursors.decode(cursor)
    query = (
        select(ProposalComment, Building.number, Unit.number)
        .outerjoin(Household, Household.id == ProposalComment.household_id)
        .outerjoin(Unit, Unit.id == Household.unit_id)
        .outerjoin(Building, Building.id == Household.building_id)
        .where(ProposalComment.proposal_id == proposal.id)
    )
    if version is not None:
        query = query.where(ProposalComment.version == version)
    if after is not None:
        query = query.where(ProposalComment.id > after)
    rows = db.session.execute(query.order_by(ProposalComment.id).limit(PAGE_SIZE + 1)).all()
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    items = [_item(principal, c, building, unit) for c, building, unit in rows]
    return items, cursors.encode(rows[-1][0].id) if more else None


def add(principal: Principal, proposal_id: int, body: str) -> dict:
    """An owner (as 某楼某单元业主) or a committee member (as 业委会) comments on the
    current version during notice. Raises NotFound, Forbidden (owners_only), Conflict
    (comments_closed, compound_archived), TooManyRequests."""
    proposal = access.readable(principal, proposal_id)
    compounds.ensure_open_id(proposal.compound_id)
    committee = principal.committee_of(proposal.compound_id)
    owned = access.owned_households(principal, proposal.compound_id)
    if not committee and not owned:
        raise Forbidden("只有本小区业主和业委会可以发表意见", code="owners_only")
    if proposal.status != "notice":
        raise Conflict("只有公示期间可以发表意见", code="comments_closed")
    throttle(
        "proposal-comment", current_app.config["PROPOSAL_COMMENT_RATE"], f"user:{principal.id}"
    )
    comment = ProposalComment(
        proposal_id=proposal.id,
        compound_id=proposal.compound_id,
        version=proposal.version,
        author_id=principal.id,
        household_id=None if committee else owned[0],
        as_committee=committee,
        body=body,
        created_at=utcnow(),
    )
    db.session.add(comment)
    db.session.commit()
    building, unit = None, None
    if comment.household_id is not None:
        household = db.session.get(Household, comment.household_id)
        building, unit = household.unit.building.number, household.unit.number
    return _item(principal, comment, building, unit)


def _item(principal: Principal, comment: ProposalComment, building, unit) -> dict:
    if comment.as_committee:
        author = COMMITTEE
    elif building is not None:
        author = f"{building}号楼{unit}单元业主"
    else:
        author = "业主"
    return {
        "id": comment.id,
        "version": comment.version,
        "body": comment.body,
        "author_label": author,
        "mine": comment.author_id == principal.id,
        "created_at": comment.created_at,
    }
