"""The desk's pages, one module per area; importing this registers them all (every
module of this package is imported: a new area is a new file, nothing to list)."""

import importlib
import pkgutil

from flask import g

from server.console.blueprint import bp
from server.labels import label

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")


@bp.app_context_processor
def _desk_context():
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
