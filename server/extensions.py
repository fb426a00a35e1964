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


@limiter.request_filter
def _no_limit_on_this_view() -> bool:
    """A view without a limit of its own skips the limiter's per-request work (~120 us:
    resolving limits, exemption scopes, header bookkeeping) when the app has no other
    kind of limit: no default, application, meta or blueprint limits (none is set
    here; only route decorators). Decided once per endpoint; if flask-limiter's
    internals read here are ever missing, every request is checked as before."""
    from flask import current_app, request

    endpoint = request.endpoint
    if not endpoint:
        return False
    app = current_app._get_current_object()
    unlimited = app.extensions.setdefault("linli.unlimited_endpoints", {})
    known = unlimited.get(endpoint)
    if known is None:
        known = unlimited[endpoint] = _has_no_limit(app, endpoint)
    return known


def _has_no_limit(app, endpoint: str) -> bool:
    from flask_limiter.util import get_qualified_name

    manager = limiter.limit_manager
    try:
        others = (
            manager._application_limits,
            manager._default_limits,
            manager._blueprint_limits,
            limiter._meta_limits,
        )
        marked = limiter._marked_for_limiting
        decorated = manager._decorated_limits
    except AttributeError:
        return False
    if any(others) or manager.has_hints(endpoint):
        return False
    view = app.view_functions.get(endpoint)
    if view is None:
        return False
    name = get_qualified_name(view)
    return name not in marked and name not in decorated
