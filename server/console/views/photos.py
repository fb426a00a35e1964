"""A photo on a desk page (an issue's, a receipt, an expense's invoice): the same check
as the API's /api/v1/uploads/<id>, with the desk's session instead of a bearer token.
Not cached (the app's no-store): a browser that kept it would show it, at the same
address, to the next person at a shared computer after sign-out."""

from flask import Response

from server.console.blueprint import bp
from server.console.pages import desk
from server.services.photos import uploads


@bp.get("/photos/<int:upload_id>")
def photo(upload_id: int):
    data, content_type = uploads.open_upload(desk().principal, upload_id)
    return Response(data, mimetype=content_type)
