"""The desk's blueprint: every page under /console (views register on it). Pages, not
API: left out of the OpenAPI document."""

from apiflask import APIBlueprint

bp = APIBlueprint(
    "desk", __name__, url_prefix="/console", template_folder="templates", enable_openapi=False
)
