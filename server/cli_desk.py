"""`flask --app server desk confirm …`: the phone's 确认登录 from a terminal, to try the
desk (电脑端) in development or a trial without a phone. Refused in production."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from server.errors import AppError
from server.extensions import db
from server.models import User
from server.services.console import tickets
from server.services.people.access import load_principal


@click.group("desk")
def desk_group():
    """The committee's desk (电脑端)."""


@desk_group.command("confirm")
@click.argument("ticket")
@click.option("--openid", required=True, help="whose phone confirms, e.g. committee-1")
@click.option("--compound", "compound_id", type=int, help="the compound's id, if several")
@with_appcontext
def confirm(ticket: str, openid: str, compound_id: int | None):
    """Confirm the QR code a desk login page shows (its text: linli-console:…)."""
    if current_app.config["LINLI_ENV"] == "production":
        raise click.ClickException("in production only the phone signs a computer in")
    user_id = db.session.scalar(select(User.id).where(User.openid == openid))
    principal = load_principal(user_id) if user_id else None
    if principal is None:
        raise click.ClickException(f"no active user with openid {openid!r}")
    try:
        confirmed = tickets.confirm(principal, ticket, compound_id)
    except AppError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    click.echo(f"confirmed: {confirmed['compound']['name']} on {confirmed['browser']}")
