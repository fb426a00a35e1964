"""The compound's ledger: every money movement, its balances, whether the chain verifies."""

from apiflask import APIBlueprint

from server.api.schemas.ledger import LedgerPageOut, LedgerQuery
from server.api.security import auth, principal
from server.database.read import replica_reads
from server.services.money import ledger

bp = APIBlueprint("ledger", __name__, url_prefix="/api/v1", tag="Fees")


@bp.get("/ledger")
@bp.auth_required(auth)
@replica_reads
@bp.input(LedgerQuery, location="query", arg_name="query")
@bp.output(LedgerPageOut)
@bp.doc(
    summary="The compound's ledger, newest first, balances, and whether the chain verifies "
    "(the entries since its last verified checkpoint recomputed) "
    "(committee, supervisor)"
)
def ledger_page(query):
    return ledger.page(principal(), query["compound"], query.get("before_seq"), query["limit"])
