"""Who may do what with public income: the committee writes, the committee and the
finance supervisor read contracts and income; another compound's things are not found."""

from __future__ import annotations

from server.errors import Forbidden
from server.models import Compound
from server.services.people import compounds
from server.services.people.access import Principal


def committee_compound(principal: Principal, code: str) -> Compound:
    """The caller's open compound, for a committee member's write. Raises NotFound,
    Forbidden (committee_only), Conflict (compound_archived)."""
    compound = compounds.member_compound(principal, code)
    ensure_committee(principal, compound.id)
    compounds.ensure_open(compound)
    return compound


def ensure_committee(principal: Principal, compound_id: int) -> None:
    if not principal.committee_of(compound_id):
        raise Forbidden("只有业委会成员可以办理公共收益", code="committee_only")


def ensure_reader(principal: Principal, compound_id: int) -> None:
    """Contracts and income records: the committee and the finance supervisor."""
    if not (principal.committee_of(compound_id) or principal.supervisor_of(compound_id)):
        raise Forbidden("只有业委会和财务监督可以查看", code="committee_only")


def reader_compound(principal: Principal, code: str) -> Compound:
    compound = compounds.member_compound(principal, code)
    ensure_reader(principal, compound.id)
    return compound
