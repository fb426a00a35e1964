"""The street office (platform admin) opens, lists, renames and archives compounds, and
chooses each one's WeChat Pay merchant."""

from apiflask import APIBlueprint

from server.api.schemas.compounds import (
    CompoundAdminListOut,
    CompoundAdminOut,
    CompoundCreateIn,
    CompoundFieldsIn,
)
from server.api.security import auth, principal
from server.services.platform import compound_admin, pay_merchants

bp = APIBlueprint("compound_admin", __name__, url_prefix="/api/v1/compounds", tag="Compounds")


def _out(row: compound_admin.CompoundRow) -> dict:
    compound = row.compound
    return {
        **{key: getattr(compound, key) for key in ("code", *compound_admin.TEXT_FIELDS)},
        "archived": compound.archived_at is not None,
        "archived_at": compound.archived_at,
        "buildings": row.buildings,
        "households": row.households,
        **pay_merchants.of_compound(compound),
    }


def _counted(compound) -> dict:
    return _out(compound_admin.CompoundRow(compound, *compound_admin.counts(compound)))


@bp.post("")
@bp.auth_required(auth)
@bp.input(CompoundCreateIn, arg_name="body")
@bp.output(CompoundAdminOut, status_code=201)
@bp.doc(
    summary="Open a compound (platform admin, the street office)",
    responses={
        400: "bad_compound_code, name_required, too_long, bad_phone or unknown_merchant",
        403: "not_admin",
        409: "compound_exists",
    },
)
def create(body):
    code = body.pop("code")
    return _counted(compound_admin.create(principal(), code, **body))


@bp.get("")
@bp.auth_required(auth)
@bp.output(CompoundAdminListOut)
@bp.doc(
    summary="Every compound, archived ones too, with counts and merchant, and the "
    "WeChat Pay merchants one can be given (platform admin)",
    responses={403: "not_admin"},
)
def list_all():
    rows = compound_admin.list_all(principal())
    return {"items": [_out(row) for row in rows], "pay_merchants": pay_merchants.configured()}


@bp.patch("/<string(maxlength=32):code>")
@bp.auth_required(auth)
@bp.input(CompoundFieldsIn, arg_name="body")
@bp.output(CompoundAdminOut)
@bp.doc(
    summary="Rename a compound or change its address, district, street, contact or WeChat "
    "Pay merchant (new orders only; platform admin)",
    responses={
        400: "name_required, too_long, bad_phone or unknown_merchant",
        403: "not_admin",
        404: "compound_not_found",
        409: "compound_archived",
    },
)
def update(code, body):
    return _counted(compound_admin.update(principal(), code, **body))


@bp.post("/<string(maxlength=32):code>/archive")
@bp.auth_required(auth)
@bp.output(CompoundAdminOut)
@bp.doc(
    summary="Archive a compound: read-only from now on, nothing deleted; again changes "
    "nothing (platform admin)",
    responses={403: "not_admin", 404: "compound_not_found"},
)
def archive(code):
    return _counted(compound_admin.archive(principal(), code))
