"""GET /config: what the client reads at start (template ids, labels)."""

from apiflask import APIBlueprint

from server.api.schemas.config import ClientConfigOut
from server.services.platform.client_config import client_config

bp = APIBlueprint("config", __name__, url_prefix="/api/v1/config", tag="Config")


@bp.get("")
@bp.output(ClientConfigOut)
@bp.doc(
    summary="Subscribe-message template ids by name; the Chinese of every code the client shows",
    description=(
        "No sign-in. `labels` holds one object per group ({code: 中文}); the mini-program's "
        "own copy is only a fallback for when this cannot be read. `labels_version` changes "
        "exactly when a label does, so a client may keep this answer and replace it when "
        "the version it reads differs. `categories` and `statuses` repeat "
        "`labels.issue_category` and `labels.issue_status` for older clients."
    ),
)
def get_config():
    return client_config()
