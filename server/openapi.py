"""Touches to the generated OpenAPI document so it tells the truth about the API."""

from __future__ import annotations

from pathlib import Path

from apiflask import APIFlask
from flask import send_from_directory

from server.headers import keeps_its_cache_rule

ERROR_SCHEMA = {
    "type": "object",
    "required": ["code", "message"],
    "properties": {
        "code": {"type": "string", "description": "stable machine code, e.g. wechat_code_invalid"},
        "message": {"type": "string", "description": "for people, in Chinese"},
        "details": {"description": "optional: which fields were wrong, and why"},
    },
}


# Swagger UI 5 (OpenAPI 3.1), as the PyPI package flask-swagger-ui ships it (Apache-2.0,
# its LICENSE served beside it): the docs page loads nothing from a CDN, so it works
# on mainland networks and offline.
DOCS_ASSETS = "/api/v1/docs/assets"
ASSET_FILES = {
    "swagger-ui.css",
    "swagger-ui-bundle.js",
    "swagger-ui-standalone-preset.js",
    "favicon-32x32.png",
    "LICENSE",
}


def serve_docs_assets(app: APIFlask) -> None:
    """The docs page's scripts, styles and icon, from this server."""
    import flask_swagger_ui

    folder = Path(flask_swagger_ui.__file__).parent / "dist"
    app.config.update(
        SWAGGER_UI_CSS=f"{DOCS_ASSETS}/swagger-ui.css",
        SWAGGER_UI_BUNDLE_JS=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
        SWAGGER_UI_STANDALONE_PRESET_JS=f"{DOCS_ASSETS}/swagger-ui-standalone-preset.js",
        DOCS_FAVICON=f"{DOCS_ASSETS}/favicon-32x32.png",
        # No badge fetched from validator.swagger.io.
        SWAGGER_UI_CONFIG={"validatorUrl": None},
    )

    @app.get(f"{DOCS_ASSETS}/<name>")
    @app.doc(hide=True)
    @keeps_its_cache_rule
    def docs_asset(name: str):
        if name not in ASSET_FILES:
            return {"code": "not_found", "message": "找不到该内容"}, 404
        return send_from_directory(folder, name, max_age=86400)


def configure_spec(app: APIFlask) -> None:
    """Every error, validation included, is documented as the one envelope."""
    app.config.update(
        HTTP_ERROR_SCHEMA=ERROR_SCHEMA,
        VALIDATION_ERROR_SCHEMA=ERROR_SCHEMA,
        VALIDATION_ERROR_DESCRIPTION="Validation error (code validation_error)",
        INFO={
            "description": "The API behind the Linli (邻里) mini-program. Errors: "
            "`{code, message, details?}` with the HTTP status."
        },
    )

    @app.spec_processor
    def _complete(spec: dict) -> dict:
        for path, path_item in spec.get("paths", {}).items():
            for method, operation in path_item.items():
                if not isinstance(operation, dict):
                    continue
                if "requestBody" in operation:
                    # APIFlask leaves request bodies optional; ours are expected.
                    operation["requestBody"]["required"] = _has_required(operation, spec)
                if path.startswith("/api/v1/"):
                    _document_errors(operation, method)
        # Several blueprints share a tag (Fees): the document names each tag once.
        tags: dict[str, dict] = {}
        for tag in spec.get("tags", []):
            tags.setdefault(tag["name"], tag)
        spec["tags"] = list(tags.values())
        return spec


# Errors any endpoint may answer, besides those its own declaration names: bad input,
# a role that does not reach, another compound's object, a state conflict, too many
# requests, the database or WeChat away.
COMMON_ERRORS = {
    "400": "Bad request (code validation_error, bad_request, ...)",
    "403": "Forbidden: the caller's role does not reach this",
    "404": "Not found (also: another compound's object)",
    "409": "Conflict with the current state",
    "429": "Too many requests",
    "503": "Service unavailable (database or WeChat); retry later",
}
ERROR_REF = {"$ref": "#/components/schemas/HTTPError"}


def _document_errors(operation: dict, method: str) -> None:
    responses = operation.setdefault("responses", {})
    codes = dict(COMMON_ERRORS)
    if operation.get("security"):
        codes["401"] = "Not signed in, or the token expired (code token_expired)"
    if method in ("post", "put", "patch"):
        codes["413"] = "Request body too large"
    for code, description in codes.items():
        responses.setdefault(
            code,
            {"description": description, "content": {"application/json": {"schema": ERROR_REF}}},
        )


def _has_required(operation: dict, spec: dict) -> bool:
    """A body is required when its schema has required properties (or is a file)."""
    for media in operation["requestBody"].get("content", {}).values():
        schema = media.get("schema", {})
        if "$ref" in schema:
            schema = spec["components"]["schemas"].get(schema["$ref"].rsplit("/", 1)[-1], {})
        if schema.get("required") or schema.get("type") != "object":
            return True
    return False
