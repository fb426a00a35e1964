"""GET /compounds/{code}: buildings and units, for the binding form."""

from apiflask import APIBlueprint

from server.api.schemas.people import CompoundOut
from server.api.security import auth
from server.services import compounds

bp = APIBlueprint("compounds", __name__, url_prefix="/api/v1/compounds", tag="Compounds")


@bp.get("/<string(maxlength=32):code>")
@bp.auth_required(auth)
@bp.output(CompoundOut)
@bp.doc(summary="A compound's buildings and units (no personal data)")
def get_compound(code):
    return compounds.compound_structure(code)
