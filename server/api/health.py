"""GET /healthz: is the service up and can it reach its database?"""

from apiflask import APIBlueprint

from server.api.schemas.people import HealthOut
from server.services.platform import health

bp = APIBlueprint("health", __name__, tag="Health")


@bp.get("/healthz")
@bp.output(HealthOut)
@bp.doc(summary="Liveness and database check", responses={503: "database unreachable"})
def healthz():
    return health.check()
