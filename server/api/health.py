"""GET /healthz: is the service up and can it reach its database?"""

from apiflask import APIBlueprint
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from server.api.schemas import HealthOut
from server.errors import ServiceUnavailable
from server.extensions import db

bp = APIBlueprint("health", __name__, tag="Health")


@bp.get("/healthz")
@bp.output(HealthOut)
@bp.doc(summary="Liveness and database check", responses={503: "database unreachable"})
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        raise ServiceUnavailable("数据库暂时不可用", code="database_unavailable") from None
    return {"status": "ok", "database": "ok"}
