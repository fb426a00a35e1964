"""Loading a compound's roster of flats (房屋名册) from a spreadsheet: the committee (or
the street office) checks a file first (a dry run changes nothing), then applies it
all or nothing.

New buildings, units and flats are created at once: nothing is owed on a flat that did
not exist. A changed floor area or vacancy of an existing flat changes what its
residents owe, so it waits in one `roster_change` approval for a second, different
committee member (two people for every yuan; `roster_changes` applies it). Floor, note,
自住/出租 and 产权人编号 (owner number: one head in owners' decisions, not money) change
at once; the import's summary names the flats whose owner number changed. Flats the
file leaves out stay: they are only listed.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError

from server.clock import utcnow
from server.errors import Conflict, Forbidden, ValidationFailed
from server.extensions import db
from server.models import Building, Compound, Household, RosterImport, Unit
from server.services.governance import audit, roster_files
from server.services.governance.roster_changes import effective_month
from server.services.governance.roster_plan import Plan, describe, make_plan, tree
from server.services.governance.roster_rows import default_floor
from server.services.money import approvals
from server.services.money.periods import period_label
from server.services.people import compounds
from server.services.people.access import Principal

CHUNK = 2000  # rows per INSERT statement
OWNER_KEYS_SHOWN = 10  # flats named in the audit summary when 产权人编号 changes
CLI_REFUSES = "面积/空置变更请在小程序中由业委会提交并由另一位委员确认"


def roster_compound(principal: Principal | None, code: str) -> Compound:
    """The compound whose roster the caller may load: its committee, the platform admin,
    or the operator's CLI (`principal` None).

    Raises NotFound (compound_not_found, also for another compound's people),
    Forbidden (committee_only).
    """
    if principal is None or principal.is_admin:
        return compounds.get_compound(code)
    compound = compounds.member_compound(principal, code)
    if not principal.committee_of(compound.id):
        raise Forbidden("只有业委会成员可以管理房屋名册", code="committee_only")
    return compound


def import_roster(
    principal: Principal | None,
    code: str,
    data: bytes | None,
    filename: str | None,
    *,
    dry_run: bool,
    progress=None,
) -> dict:
    """Check a roster file (dry run: the report, nothing changes) or apply it all or
    nothing: the report plus applied, import_id and approval_id (changes waiting for a
    second committee member). `progress(n)` is told each row read.

    Raises NotFound, Forbidden, Conflict (compound_archived; roster_busy when another
    import of the compound went in at the same moment), ValidationFailed
    (bad_roster_file; roster_invalid with the report as `report`; for the CLI,
    roster_needs_committee when existing flats' area or vacancy would change).
    """
    compound = roster_compound(principal, code)
    compounds.ensure_open(compound)
    if data is None:
        raise roster_files.bad_file("请选择要导入的名册文件（.xlsx 或 .csv）")
    parsed = roster_files.parse(data, progress)
    plan = make_plan(compound, parsed)
    report = plan.report()
    if dry_run:
        return {**report, "applied": False, "import_id": None, "approval_id": None}
    if parsed.problems:
        raise ValidationFailed(
            f"名册里有 {len(parsed.problems)} 处问题，没有导入任何内容。请改正后重新上传",
            code="roster_invalid",
            extra={"report": report},
        )
    if principal is None and plan.pending:
        raise ValidationFailed(
            f"{CLI_REFUSES}（本文件有 {len(plan.pending)} 户），其余内容也没有导入",
            code="roster_needs_committee",
            extra={"report": report},
        )
    import_id, approval_id = _apply(principal, plan, data, filename)
    return {**report, "applied": True, "import_id": import_id, "approval_id": approval_id}


def _apply(
    principal: Principal | None, plan: Plan, data: bytes, filename: str | None
) -> tuple[int, int | None]:
    compound = plan.compound
    actor = principal.id if principal is not None else None
    row = RosterImport(
        compound_id=compound.id,
        created_by_id=actor,
        created_at=utcnow(),
        filename=(filename or "")[:200] or None,
        sha256=hashlib.sha256(data).hexdigest(),
        row_count=plan.parsed.count,
        counts=plan.counts(),
    )
    try:
        db.session.add(row)
        db.session.flush()
        _create(plan)
        if plan.direct:
            db.session.execute(update(Household), plan.direct)
        db.session.flush()
    except IntegrityError:  # another import of this compound went in at the same moment
        db.session.rollback()
        raise Conflict("有人正在同时导入本小区的名册，请稍后刷新再试", code="roster_busy") from None
    approval_id = _propose(principal, plan, row) if plan.pending else None
    details = {**plan.counts(), "import_id": row.id, "approval_id": approval_id}
    audit.record(compound.id, "roster_imported", _summary(plan), actor_id=actor, details=details)
    db.session.commit()
    return row.id, approval_id


def _create(plan: Plan) -> None:
    """New buildings, then units, then flats: one INSERT per chunk, ids read back once."""
    cid = plan.compound.id
    if plan.new_buildings:
        rows = [{"compound_id": cid, "number": n, "name": f"{n}号楼"} for n in plan.new_buildings]
        db.session.execute(insert(Building), rows)
    if plan.new_units:
        buildings, _ = tree(cid)
        rows = [
            {"compound_id": cid, "building_id": buildings[b], "number": u}
            for b, u in plan.new_units
        ]
        db.session.execute(insert(Unit), rows)
    if not plan.creates:
        return
    buildings, units = tree(cid)
    rows = [
        {
            "compound_id": cid,
            "building_id": buildings[r.building],
            "unit_id": units[(r.building, r.unit)],
            "room": r.room,
            "floor": r.floor if r.floor is not None else default_floor(r.room),
            "area_m2": r.area,
            "occupancy": r.occupancy or "occupied",
            "tenure": r.tenure,
            "note": r.note,
            "owner_key": r.owner_key,
        }
        for r in plan.creates
    ]
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(Household), rows[start : start + CHUNK])


def _propose(principal: Principal, plan: Plan, row: RosterImport) -> int:
    period = effective_month(plan.compound.id)
    shown = "；".join(describe(p) for p in plan.pending[:3])
    more = f" 等 {len(plan.pending)} 户" if len(plan.pending) > 3 else ""
    approval = approvals.propose(
        principal,
        compound_id=plan.compound.id,
        kind="roster_change",
        subject_id=row.id,
        summary=f"房屋名册：{shown}{more}，自{period_label(period)}账单起",
        details={
            "import_id": row.id,
            "effective_label": period_label(period),
            "households": plan.pending,
        },
        taken="这次导入的面积/空置变更已在等待确认",
        effective_period=period,
    )
    return approval.id


def _summary(plan: Plan) -> str:
    counts = plan.counts()
    flats = counts["households"]
    text = (
        f"导入房屋名册 {plan.parsed.count} 行：新建 {counts['buildings']['create']} 栋楼、"
        f"{counts['units']['create']} 个单元、{flats['create']} 户；"
        f"更新 {flats['update']} 户，未变 {flats['unchanged']} 户"
    )
    if plan.owner_keys:
        shown = "、".join(plan.owner_keys[:OWNER_KEYS_SHOWN])
        more = " 等" if len(plan.owner_keys) > OWNER_KEYS_SHOWN else ""
        text += f"；产权人编号变更 {len(plan.owner_keys)} 户（{shown}{more}）"
    if plan.pending:
        text += f"；{len(plan.pending)} 户面积/空置变更待另一位委员确认"
    return text
