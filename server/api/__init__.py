"""HTTP API under /api/v1: each module parses, calls one service, serialises."""

from flask import Flask

from server.api import auth, bindings, compounds, health, invites, me, uploads

BLUEPRINTS = (health.bp, auth.bp, me.bp, compounds.bp, bindings.bp, invites.bp, uploads.bp)


def register_api(app: Flask) -> None:
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
