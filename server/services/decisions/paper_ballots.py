"""Paper ballots and written proxies for owners without a phone: a volunteer of the
flat's unit (its liaison, the building lead, or the committee) records one with a photo
of the signed paper; another volunteer of the compound confirms it, and only then does
it count (replacing an app ballot of the flat); the flat's owners in the app are told,
with the receipt. A paper ballot still pending when voting closes is not counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select

from server.clock import utcnow
from server.errors import Conflict, Forbidden, NotFound
from server.extensions import db
from server.labels import label
from server.models import Ballot, Household, Proposal
from server.services.decisions import access, ballots
from server.services.messaging import fanout
from server.services.people import compounds, users
from server.services.people.access import Principal, own_accounts, same_person
from server.services.photos import attachments

PAPER = ("paper", "proxy")
NEWER_BALLOT = "这户业主在登记纸质票之后已在小程序投票，以业主自己的投票为准，这张纸质票不计入"
NEWER_PAPER = "这户在这张纸质票之后又登记了一张并已计入，以后一张为准，这张纸质票不计入"


@dataclass(frozen=True)
class PaperView:
    id: int
    household_id: int
    household_label: str
    choice: str
    choice_label: str
    channel: str
    status: str
    recorded_by: str
    recorded_at: datetime
    photo: int | None
    mine: bool
    receipt: str | None = None


def record(
    principal: Principal,
    proposal_id: int,
    household_id: int,
    choice: str,
    photo: int,
    proxy: bool = False,
) -> PaperView:
    """A volunteer of the flat's unit records a paper ballot (or a written proxy) with
    the photo of the signed paper; it waits for a second volunteer.

    Raises NotFound (proposal_not_found, household_not_found), Forbidden
    (volunteers_only), Conflict (compound_archived, voting_closed, not_on_roll),
    ValidationFailed (choice_invalid, photo_invalid).
    """
    proposal = access.readable(principal, proposal_id, for_update=True)
    compounds.ensure_open_id(proposal.compound_id)
    household = db.session.get(Household, household_id)
    if household is None or household.compound_id != proposal.compound_id:
        raise NotFound("没有这户", code="household_not_found")
    if not principal.handles_unit(household.compound_id, household.building_id, household.unit_id):
        raise Forbidden("只有本单元的联络员、楼长或业委会可以登记纸质票", code="volunteers_only")
    ballots.require_voting(proposal)
    ballots.require_on_roll(proposal, household_id)
    ballots.require_choice(proposal, choice)
    ballot = Ballot(
        proposal_id=proposal.id,
        compound_id=proposal.compound_id,
        household_id=household_id,
        choice=choice,
        channel="proxy" if proxy else "paper",
        status="pending",
        cast_by_id=principal.id,
        cast_at=utcnow(),
    )
    with db.session.begin_nested():  # a refused photo leaves no ballot behind
        db.session.add(ballot)
        db.session.flush()
        attachments.attach(principal, proposal.compound_id, "paper_ballot", ballot.id, [photo])
    db.session.commit()
    return _views(principal, proposal, [ballot])[0]


def listing(principal: Principal, proposal_id: int, status: str | None = None) -> list[PaperView]:
    """The paper ballots a volunteer deals with: those they may confirm (pending, not
    their own) and their own recordings; the committee sees every one.

    Raises NotFound, Forbidden (volunteers_only)."""
    proposal = access.readable(principal, proposal_id)
    _ensure_volunteer(principal, proposal.compound_id)
    query = select(Ballot).where(Ballot.proposal_id == proposal.id, Ballot.channel.in_(PAPER))
    if not principal.committee_of(proposal.compound_id):
        query = query.where(or_(Ballot.status == "pending", Ballot.cast_by_id == principal.id))
    if status:
        query = query.where(Ballot.status == status)
    found = list(db.session.scalars(query.order_by(Ballot.id)))
    return _views(principal, proposal, found)


def confirm(principal: Principal, ballot_id: int) -> PaperView:
    """A second volunteer confirms: the paper ballot becomes the flat's counted one with
    a receipt, and the flat's owners in the app are told (inbox and push).

    A flat's owner who voted in the app after the paper was recorded (or signed a later
    paper, confirmed already) decided last: the paper ballot is then set aside (rejected,
    committed) and Conflict newer_ballot raised.

    Raises NotFound (paper_ballot_not_found), Forbidden (volunteers_only, same_person),
    Conflict (compound_archived, ballot_state, voting_closed, ballot_conflict,
    newer_ballot)."""
    proposal, ballot = _decidable(principal, ballot_id)
    ballots.require_voting(proposal)
    now = utcnow()
    newer = _counted_since(ballot)
    if newer is not None:
        why = NEWER_BALLOT if newer == "app" else NEWER_PAPER
        ballot.status = "rejected"
        ballot.rejected_by_id, ballot.rejected_at = principal.id, now
        ballot.reason = why
        db.session.commit()
        raise Conflict(why, code="newer_ballot")
    ballot.confirmed_by_id, ballot.confirmed_at = principal.id, now
    ballots.count_in(ballot, now)
    _tell_owners(proposal, ballot)
    db.session.commit()
    return _views(principal, proposal, [ballot])[0]


def reject(principal: Principal, ballot_id: int, reason: str) -> PaperView:
    """A second volunteer refuses a paper ballot (unreadable, unsigned...): not counted.

    Raises NotFound, Forbidden (volunteers_only, same_person), Conflict (ballot_state,
    compound_archived)."""
    proposal, ballot = _decidable(principal, ballot_id)
    ballot.status = "rejected"
    ballot.rejected_by_id, ballot.rejected_at, ballot.reason = principal.id, utcnow(), reason
    db.session.commit()
    return _views(principal, proposal, [ballot])[0]


def _counted_since(paper: Ballot) -> str | None:
    """The channel of the flat's counted ballot if it was cast after this paper (the
    owner decided last: in the app, or on a later paper already confirmed)."""
    return db.session.scalar(
        select(Ballot.channel)
        .where(
            Ballot.proposal_id == paper.proposal_id,
            Ballot.household_id == paper.household_id,
            Ballot.status == "counted",
            Ballot.cast_at > paper.cast_at,
        )
        .with_for_update()  # what is committed now, not the request's snapshot
    )


def _decidable(principal: Principal, ballot_id: int):
    found = db.session.execute(
        select(Ballot.proposal_id, Ballot.compound_id, Ballot.channel).where(Ballot.id == ballot_id)
    ).first()
    if found is None or found.compound_id not in principal.compound_ids or found.channel == "app":
        raise NotFound("没有这张纸质表决票", code="paper_ballot_not_found")
    # The proposal first, then the ballot: the order closing and ballots lock in.
    proposal = access.readable(principal, found.proposal_id, for_update=True)
    _ensure_volunteer(principal, proposal.compound_id)
    compounds.ensure_open_id(proposal.compound_id)
    ballot = db.session.scalars(
        select(Ballot)
        .where(Ballot.id == ballot_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if same_person(principal, ballot.cast_by_id):
        raise Forbidden("登记人不能核对自己登记的票，请另一位志愿者核对", code="same_person")
    if ballot.status != "pending":
        now = label("ballot_status", ballot.status)
        raise Conflict(f"这张票现在是「{now}」，不能再处理", code="ballot_state")
    return proposal, ballot


def _ensure_volunteer(principal: Principal, compound_id: int) -> None:
    if not access.is_volunteer(principal, compound_id):
        raise Forbidden("只有联络员、楼长或业委会可以处理纸质票", code="volunteers_only")


def _tell_owners(proposal, ballot: Ballot) -> None:
    flat_ids = select(Household.id).where(Household.id == ballot.household_id)
    owners = fanout.residents_of(flat_ids, owners_only=True)
    flat = ballots.flat_labels([ballot.household_id])[ballot.household_id]
    fanout.tell(
        owners,
        compound_id=proposal.compound_id,
        key=f"pb{ballot.id}",
        kind="paper_ballot",
        title=f"您家（{flat}）的纸质表决票已计入",
        body=f"「{proposal.title}」：志愿者登记的{label('ballot_channel', ballot.channel)}"
        "已核对计入，"
        f"选择「{ballots.choice_label(proposal, ballot.choice)}」，回执码 {ballot.receipt}。"
        "如有不符，投票结束前可在小程序里重新投票。",
        page=f"pages/proposal/index?id={proposal.id}",
        push=True,
        push_title="纸质表决票已计入",
    )


def _views(principal: Principal, proposal, found: list[Ballot]) -> list[PaperView]:
    labels = ballots.flat_labels(b.household_id for b in found)
    names = users.names_in(proposal.compound_id, [b.cast_by_id for b in found])
    photos = attachments.of("paper_ballot", [b.id for b in found])
    # A receipt is for the flat's owners only (they are told it), not the volunteers.
    owned = set(access.owned_households(principal, proposal.compound_id))
    return [
        PaperView(
            id=b.id,
            household_id=b.household_id,
            household_label=labels.get(b.household_id, ""),
            choice=b.choice,
            choice_label=ballots.choice_label(proposal, b.choice),
            channel=b.channel,
            status=b.status,
            recorded_by=names.get(b.cast_by_id, ""),
            recorded_at=b.cast_at,
            photo=(photos.get(b.id) or [None])[0],
            mine=b.cast_by_id == principal.id,
            receipt=b.receipt if b.household_id in owned else None,
        )
        for b in found
    ]


def waiting(principal: Principal, code: str, now: datetime | None = None) -> dict[int, int]:
    """The pending paper ballots the caller may check, by proposal: a volunteer of the
    compound, ballots someone else recorded on a vote still open (nothing for anyone
    else, and once archived). Raises NotFound."""
    compound = compounds.member_compound(principal, code)
    if compound.archived_at is not None or not access.is_volunteer(principal, compound.id):
        return {}
    rows = db.session.execute(
        select(Ballot.proposal_id, func.count(Ballot.id))
        .join(Proposal, Proposal.id == Ballot.proposal_id)
        .where(
            Proposal.compound_id == compound.id,
            Proposal.status == "voting",
            Proposal.closes_at > (now or utcnow()),
            Ballot.status == "pending",
            Ballot.channel.in_(PAPER),
            Ballot.cast_by_id.not_in(own_accounts(principal)),
        )
        .group_by(Ballot.proposal_id)
    )
    return {proposal_id: int(n) for proposal_id, n in rows}
