"""The desk's pages, one module per area; importing this registers them all."""

from server.console.blueprint import bp
from server.console.views import dashboard  # noqa: F401
from server.labels import label


@bp.app_context_processor
def _desk_context():
    from flask import g

    desk = getattr(g, "desk", None)
    name = ""
    if desk is not None:
        name = next(
            (
                m.name
                for m in desk.principal.memberships
                if m.compound_id == desk.compound_id and m.name
            ),
            desk.principal.user.nickname or "",
        )
    return {"desk_role_label": lambda role: label("role", role, role), "desk_name": name}
