"""A photo on a desk page (an issue's, a receipt, an expense's invoice): the same check
as the API's /api/v1/uploads/<id>, with the desk's session instead of a bearer token."""

from flask import Response

from server.console.blueprint import bp
from server.console.pages import desk
from server.headers import keeps_its_cache_rule
from server.services.photos import uploads


@bp.get("/photos/<int:upload_id>")
@keeps_its_cache_rule
def photo(upload_id: int):
    data, content_type = uploads.open_upload(desk().principal, upload_id)
    response = Response(data, mimetype=content_type)
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response
