"""GET /config: what the client reads at start (template ids, labels)."""

from apiflask import APIBlueprint

from server.api.schemas.issues import ClientConfigOut
from server.services.platform.client_config import client_config

bp = APIBlueprint("config", __name__, url_prefix="/api/v1/config", tag="Config")


@bp.get("")
@bp.output(ClientConfigOut)
@bp.doc(summary="Subscribe-message template ids by name; category and status labels")
def get_config():
    return client_config()
