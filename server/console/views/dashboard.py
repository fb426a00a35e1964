"""概览: the compound at a glance (charts come with the dashboard's own change)."""

from server.console.blueprint import bp
from server.console.pages import render


@bp.get("/")
def dashboard():
    return render("dashboard.html", title="概览")
