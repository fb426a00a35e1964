"""Headers every answer carries: JSON is never cached and never sniffed as anything else."""

from __future__ import annotations

from flask import Flask, Response


def register_headers(app: Flask) -> None:
    """JSON answers (errors included) get `Cache-Control: no-store`: they hold personal
    data and bills, and a shared phone or a proxy must not keep them. Every answer
    gets `X-Content-Type-Options: nosniff`. An answer that set its own cache rule (a
    photo: private, a day) keeps it."""

    @app.after_request
    def _security_headers(response: Response) -> Response:
        response.headers["X-Content-Type-Options"] = "nosniff"
        if response.is_json:
            response.headers["Cache-Control"] = "no-store"
        return response
