"""`flask --app server compounds …`: the street office opens and keeps compounds, and
invites a new compound's first committee."""

from __future__ import annotations

import click
import segno
from flask.cli import with_appcontext

from server.clock import SHANGHAI
from server.errors import AppError
from server.extensions import db
from server.models.governance import INVITE_ROLES
from server.services.governance import role_invites
from server.services.platform import compound_admin, pay_merchants


def _fail(error: AppError):
    db.session.rollback()
    raise click.ClickException(error.message)


@click.group("compounds")
def compounds_group():
    """Compounds (小区): open, list, rename, archive."""


def _details(command):
    for option in reversed(
        (
            click.option("--address", help="地址"),
            click.option("--district", help="区"),
            click.option("--street", help="街道"),
            click.option("--contact-name", help="联系人"),
            click.option("--contact-phone", help="联系电话"),
        )
    ):
        command = option(command)
    return command


_PAY_MERCHANT_HELP = "微信支付收款商户的名称（WECHAT_PAY_MERCHANTS_FILE 中的名字；不填：默认商户）"


@compounds_group.command("create")
@click.argument("code")
@click.option("--name", required=True, help="小区名称")
@_details
@click.option("--pay-merchant", help=_PAY_MERCHANT_HELP)
@with_appcontext
def create(code, **fields):
    """Open compound CODE (2–32 of a-z, 0-9, -)."""
    try:
        compound = compound_admin.create(None, code, **fields)
    except AppError as error:
        _fail(error)
    click.echo(f"opened: {compound.code} {compound.name}{_paid_to(compound)}")


def _paid_to(compound) -> str:
    shown = pay_merchants.of_compound(compound)
    if shown["pay_merchant"] is None:
        return " (online payment off: no WeChat Pay merchant)"
    default = " (default)" if shown["pay_merchant_is_default"] else ""
    return f" · WeChat Pay: {shown['pay_merchant']} {shown['pay_version'] or '?'}{default}"


@compounds_group.command("list")
@with_appcontext
def list_all():
    """Every compound, archived ones too, with building and household counts."""
    for row in compound_admin.list_all(None):
        compound = row.compound
        state = " [archived]" if compound.archived_at else ""
        click.echo(
            f"{compound.code}\t{compound.name}\t{row.buildings} buildings\t"
            f"{row.households} households{_paid_to(compound)}{state}"
        )


@compounds_group.command("rename")
@click.argument("code")
@click.option("--name", help="新名称")
@_details
@click.option("--pay-merchant", help=_PAY_MERCHANT_HELP + '；"" 改回默认商户')
@with_appcontext
def rename(code, **fields):
    """Rename compound CODE or change its address, district, street, contact or WeChat
    Pay merchant (new orders only)."""
    fields = {key: value for key, value in fields.items() if value is not None}
    if not fields:
        raise click.UsageError("nothing to change: give --name or another option")
    try:
        compound = compound_admin.update(None, code, **fields)
    except AppError as error:
        _fail(error)
    click.echo(f"updated: {compound.code} {compound.name}{_paid_to(compound)}")


@compounds_group.command("archive")
@click.argument("code")
@with_appcontext
def archive(code):
    """Archive compound CODE: read-only from now on, nothing deleted."""
    try:
        compound = compound_admin.archive(None, code)
    except AppError as error:
        _fail(error)
    click.echo(
        f"archived: {compound.code} {compound.name} (at {compound.archived_at:%Y-%m-%d %H:%M} UTC)"
    )


@compounds_group.command("invite")
@click.argument("code")
@click.option(
    "--role",
    type=click.Choice(INVITE_ROLES),
    default="committee",
    show_default=True,
    help="职务",
)
@click.option("--unit", help="单元联络人：单元，如 1-2")
@click.option("--building", type=int, help="楼栋长：楼栋号")
@click.option("--name", help="被任命人（姓名或称呼），列表里显示")
@with_appcontext
def invite(code, role, unit, building, name):
    """A one-time role invite for compound CODE (the street office appoints a new
    compound's first committee this way): prints the code and its QR code, to read
    out, print or send; the person enters or scans it under 我有任命邀请码."""
    try:
        issued = role_invites.create(None, code, role, unit=unit, building=building, name=name)
    except AppError as error:
        _fail(error)
    expires = issued.expires_at.astimezone(SHANGHAI)
    click.echo(f"{issued.title}{f'（{name}）' if name else ''} 邀请码：{issued.code}")
    click.echo(f"有效期至 {expires:%Y-%m-%d %H:%M}（北京时间），只能使用一次")
    segno.make(role_invites.QR_PREFIX + issued.code, error="m").terminal(compact=True)
