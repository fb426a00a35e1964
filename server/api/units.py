"""GET /units/{id}/households: the rooms of a unit, for the people who handle it."""

from apiflask import APIBlueprint

from server.api.schemas.people import UnitHouseholdListOut
from server.api.security import auth, principal
from server.services.people import compounds

bp = APIBlueprint("units", __name__, url_prefix="/api/v1/units", tag="Compounds")


@bp.get("/<int:unit_id>/households")
@bp.auth_required(auth)
@bp.output(UnitHouseholdListOut)
@bp.doc(
    summary="A unit's flats (no people), to file an issue for a neighbour (its liaison, "
    "building lead, committee)",
    responses={403: "not_a_handler", 404: "unit_not_found"},
)
def unit_households(unit_id):
    return {"items": compounds.unit_households(principal(), unit_id)}
