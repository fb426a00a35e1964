"""Is the service able to work: can it reach its database (and its read replica)?"""

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from server.database.read import check_replica
from server.errors import ServiceUnavailable
from server.extensions import db


def check() -> dict:
    """{"status": "ok", "database": "ok", "replica": ...}, or ServiceUnavailable when the
    database is away. A replica away is no failure: its reads go to the primary meanwhile
    (`replica`: "down"; "none" without one)."""
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    except SQLAlchemyError:
        db.session.rollback()
        raise ServiceUnavailable("数据库暂时不可用", code="database_unavailable") from None
    return {"status": "ok", "database": "ok", "replica": check_replica()}
