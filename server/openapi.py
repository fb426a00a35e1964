"""Touches to the generated OpenAPI document so it tells the truth about the API."""

from __future__ import annotations

from apiflask import APIFlask

ERROR_SCHEMA = {
    "type": "object",
    "required": ["code", "message"],
    "properties": {
        "code": {"type": "string", "description": "stable machine code, e.g. wechat_code_invalid"},
        "message": {"type": "string", "description": "for people, in Chinese"},
        "details": {"description": "optional: which fields were wrong, and why"},
    },
}


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
    def _mark_bodies_required(spec: dict) -> dict:
        # APIFlask leaves request bodies optional; ours are all required.
        for path_item in spec.get("paths", {}).values():
            for operation in path_item.values():
                if isinstance(operation, dict) and "requestBody" in operation:
                    operation["requestBody"]["required"] = True
        return spec
