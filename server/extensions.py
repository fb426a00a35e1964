"""Flask extensions, created unbound and initialised in `create_app()`."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from server.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
limiter = Limiter(key_func=get_remote_address, default_limits=[])


@limiter.request_filter
def _replayed() -> bool:
    """A view run again after a lost connection or deadlock (server.database.replay):
    its first run counted the hits, this one counts none."""
    from server.database.replay import replaying

    return replaying()
