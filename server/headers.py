"""Headers every answer carries: nothing personal is cached, nothing is sniffed."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response, request


def keeps_its_cache_rule(view: Callable) -> Callable:
    """Mark a view whose successful answers set their own `Cache-Control` (a static
    asset: public, a day; a photo: private, a day). Put it next to the `def`, under the
    route and doc decorators (they copy the mark onto their wrappers)."""
    view.keeps_its_cache_rule = True
    return view


def register_headers(app: Flask) -> None:
    """Every answer gets `Cache-Control: no-store` (JSON, errors, the Excel registers
    and fee exports, the docs page...): they hold personal data and bills, and a shared
    phone or a proxy must not keep them. Only a successful answer of a view marked
    `keeps_its_cache_rule` keeps its own. Every answer gets
    `X-Content-Type-Options: nosniff`."""

    @app.after_request
    def _security_headers(response: Response) -> Response:
        response.headers["X-Content-Type-Options"] = "nosniff"
        view = app.view_functions.get(request.endpoint) if request.endpoint else None
        if response.status_code >= 400 or not getattr(view, "keeps_its_cache_rule", False):
            response.headers["Cache-Control"] = "no-store"
        return response
