"""Photo uploads: a resident sends a photo, gets an id, and fetches it back later."""

from apiflask import APIBlueprint, Schema, fields
from flask import Response, current_app

from server.api.security import auth, caller_key, principal
from server.extensions import limiter
from server.headers import keeps_its_cache_rule
from server.services.photos import uploads

bp = APIBlueprint("uploads", __name__, url_prefix="/api/v1/uploads", tag="Uploads")

IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")


class UploadIn(Schema):
    file = fields.File(
        required=True,
        metadata={
            "description": "The photo: JPEG, PNG or WebP, at most 5 MB (UPLOAD_MAX_BYTES). "
            "Its file name and declared type are ignored."
        },
    )


class UploadOut(Schema):
    id = fields.Integer()
    content_type = fields.String(
        metadata={"description": "of the stored photo: image/jpeg, image/png or image/webp"}
    )
    width = fields.Integer(metadata={"description": "pixels, after turning it upright"})
    height = fields.Integer()
    size_bytes = fields.Integer(metadata={"description": "of the stored, re-encoded photo"})


@bp.post("")
@limiter.limit(lambda: current_app.config["UPLOAD_RATE"], key_func=caller_key)
@bp.auth_required(auth)
@bp.input(UploadIn, location="files", arg_name="body")
@bp.output(UploadOut, status_code=201)
@bp.doc(
    summary="Upload a photo (multipart field `file`)",
    description="The photo is checked by its content, turned upright, shrunk to at most "
    "2560 px on its long side (UPLOAD_MAX_SIDE) and re-encoded without EXIF/GPS or any "
    "other metadata. Attach it by its id: `photos` of `POST /issues` or of a transition, "
    "`receipt_photo` of `POST /offline-payments`.",
    responses={
        400: "not_an_image, image_corrupt, image_too_large_in_pixels or validation_error",
        413: "upload_too_large (over 5 MB) or payload_too_large (body over 6 MB)",
        429: "too_many_requests",
    },
)
def create(body):
    file = body["file"]
    # Read one byte past the limit: enough for the service to tell "too large".
    data = file.stream.read(current_app.config["UPLOAD_MAX_BYTES"] + 1)
    return uploads.save_upload(principal(), data, file.mimetype or None)


@bp.get("/<int:upload_id>")
@bp.auth_required(auth)
@bp.doc(
    summary="The photo itself: its uploader, whoever may see its issue, or (a receipt) "
    "the committee and supervisor",
    responses={
        200: {
            "description": "The image bytes",
            "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in IMAGE_TYPES},
        },
        404: "upload_not_found: no such photo, or not yours to see",
    },
)
@keeps_its_cache_rule
def fetch(upload_id: int):
    data, content_type = uploads.open_upload(principal(), upload_id)
    response = Response(data, mimetype=content_type)
    response.headers["Cache-Control"] = "private, max-age=86400"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
