"""Who may appoint and who may read a compound's people, and how a role over its scope
reads in Chinese ("1号楼2单元联络人")."""

from __future__ import annotations

from datetime import date

from server.clock import SHANGHAI, utcnow
from server.errors import Forbidden, NotFound
from server.labels import label
from server.models import Compound
from server.services.people import compounds
from server.services.people.access import Principal

NOT_FOUND = "找不到该小区，请核对小区编号"


def appointer_compound(principal: Principal | None, code: str) -> Compound:
    """The compound if the caller may appoint in it: its committee, or the platform admin
    (any compound: that is how a first committee is appointed; None is the operator's
    CLI). Raises NotFound
    (another compound's people) or Forbidden (a member without the committee role)."""
    return _compound(principal, code, readers=False)


def reader_compound(principal: Principal, code: str) -> Compound:
    """The compound if the caller may read its people and audit log: its committee, its
    finance supervisor or the platform admin. Raises NotFound or Forbidden."""
    return _compound(principal, code, readers=True)


def _compound(principal: Principal | None, code: str, *, readers: bool) -> Compound:
    compound = compounds.get_compound(code)
    if principal is None or principal.is_admin or principal.committee_of(compound.id):
        return compound
    if readers and principal.supervisor_of(compound.id):
        return compound
    if compound.id in principal.compound_ids:
        if readers:
            raise Forbidden("只有业委会成员和财务监督可以查看", code="committee_only")
        raise Forbidden("只有业委会成员可以任命或免去", code="committee_only")
    raise NotFound(NOT_FOUND, code="compound_not_found")


def scope_label(role: str, building_no: int | None, unit_no: int | None) -> str:
    """Where a role reaches: "1号楼2单元", "1号楼" or "小区"."""
    if role == "liaison" and building_no is not None:
        return f"{building_no}号楼{unit_no}单元"
    if role == "building_lead" and building_no is not None:
        return f"{building_no}号楼"
    return label("scope", "compound")


def post_title(role: str, building_no: int | None, unit_no: int | None) -> str:
    """A role over its scope as one title: "1号楼2单元联络人", "1号楼楼栋长", "业委会委员"."""
    if role == "liaison" and building_no is not None:
        return f"{scope_label(role, building_no, unit_no)}联络人"
    if role == "building_lead" and building_no is not None:
        return f"{scope_label(role, building_no, unit_no)}楼栋长"
    return label("role", role)


def today() -> date:
    """Today's date in Shanghai."""
    return utcnow().astimezone(SHANGHAI).date()
