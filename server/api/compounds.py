"""A compound: its buildings and units (the binding form), deadlines, failed pushes."""

from apiflask import APIBlueprint

from server.api.schemas.issues import PolicyIn, PolicyListOut
from server.api.schemas.messaging import FailedMessageListOut
from server.api.schemas.people import CompoundOut
from server.api.schemas.reach import CompoundReachOut
from server.api.security import auth, principal
from server.services.issues import policies
from server.services.messaging import reachability
from server.services.messaging.failed_messages import failed_for
from server.services.people import compounds
from server.services.platform import pay_merchants

bp = APIBlueprint("compounds", __name__, url_prefix="/api/v1/compounds", tag="Compounds")


@bp.get("/<string(maxlength=32):code>")
@bp.auth_required(auth)
@bp.output(CompoundOut)
@bp.doc(
    summary="A compound's buildings and units (no personal data; anyone signed in); its "
    "WeChat Pay merchant and version for the street office and its committee"
)
def get_compound(code):
    compound = compounds.compound_structure(code)
    return {
        **{
            key: getattr(compound, key) for key in ("code", "name", "address", "district", "street")
        },
        "archived": compound.archived_at is not None,
        "buildings": compound.buildings,
        **(pay_merchants.shown_to(principal(), compound) or {}),
    }


@bp.get("/<string(maxlength=32):code>/policies")
@bp.auth_required(auth)
@bp.output(PolicyListOut)
@bp.doc(
    summary="Deadlines per category: accept within N hours, resolve within M days "
    "(anyone of the compound)"
)
def get_policies(code):
    found = policies.compound_policies(principal(), code)
    return {"items": [{"category": c, **vars(p)} for c, p in found.items()]}


@bp.put("/<string(maxlength=32):code>/policies/<string(maxlength=16):category>")
@bp.auth_required(auth)
@bp.input(PolicyIn, arg_name="body")
@bp.output(PolicyListOut)
@bp.doc(
    summary="Change a category's deadlines (committee); returns them all",
    responses={403: "not committee", 409: "compound_archived"},
)
def put_policy(code, category, body):
    changed = policies.update_policy(principal(), code, category, **body)
    return {"items": [{"category": c, **vars(p)} for c, p in changed.items()]}


@bp.get("/<string(maxlength=32):code>/failed-messages")
@bp.auth_required(auth)
@bp.output(FailedMessageListOut)
@bp.doc(summary="Pushes WeChat refused for good, with the reason (committee)")
def failed_messages(code):
    return {"items": failed_for(principal(), code)}


@bp.get("/<string(maxlength=32):code>/reachability")
@bp.auth_required(auth)
@bp.output(CompoundReachOut)
@bp.doc(
    summary="Which liaisons (per unit, gaps first), building leads and committee members a "
    "push reaches, and how (committee; the read is access-logged)",
    responses={403: "not committee"},
)
def reachability_of(code):
    return reachability.compound_reach(principal(), code)
