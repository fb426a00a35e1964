"""Operator commands: `flask --app server <command>`."""

from __future__ import annotations

import csv
import sys
import time
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from server.cli_compounds import compounds_group
from server.cli_desk import desk_group
from server.cli_roster import roster_group
from server.cli_uploads import uploads_group
from server.errors import AppError
from server.extensions import db
from server.models.user import ROLES
from server.services.money import fees, ledger_checks, pending_orders, reconciliation
from server.services.people import invites, roles
from server.services.platform import demo


def _fail(error: AppError):
    db.session.rollback()
    raise click.ClickException(error.message)


@click.command("grant-role")
@click.argument("openid")
@click.argument("role", type=click.Choice(ROLES))
@click.option("--compound", "compound_code", help="compound code, e.g. demo")
@click.option("--building", help="building number, e.g. 1")
@click.option("--unit", help="building-unit, e.g. 1-2")
@click.option("--household", help="building-unit-room, e.g. 1-2-301")
@click.option(
    "--relation",
    type=click.Choice(("owner", "tenant", "family")),
    default="owner",
    show_default=True,
    help="for the resident role",
)
@with_appcontext
def grant_role(openid, role, compound_code, building, unit, household, relation):
    """Give OPENID the ROLE over a compound, building, unit or household.

    The user need not have signed in yet: they get the role on first login.
    """
    scope = _scope(compound_code, building, unit, household)
    try:
        created = roles.grant_by_openid(openid, role, scope, relation)
    except AppError as error:
        _fail(error)
    where = _describe(compound_code, building, unit, household)
    click.echo(f"{'granted' if created else 'already had'}: {openid} {role} {where}")


@click.command("revoke-role")
@click.argument("openid")
@click.argument("role", type=click.Choice(ROLES))
@click.option("--compound", "compound_code")
@click.option("--building")
@click.option("--unit")
@click.option("--household")
@with_appcontext
def revoke_role(openid, role, compound_code, building, unit, household):
    """Take ROLE over the given scope away from OPENID."""
    try:
        removed = roles.revoke_by_openid(
            openid, role, _scope(compound_code, building, unit, household)
        )
    except AppError as error:
        _fail(error)
    where = _describe(compound_code, building, unit, household)
    click.echo(f"{'revoked' if removed else 'did not have'}: {openid} {role} {where}")


def _scope(compound_code, building, unit, household) -> dict:
    return {
        "compound_code": compound_code,
        "building": building,
        "unit": unit,
        "household": household,
    }


def _describe(compound_code, building, unit, household) -> str:
    scope = household or unit or building
    return (
        f"in {compound_code}" + (f" ({scope})" if scope else "") if compound_code else "(platform)"
    )


@click.command("demo")
@click.option(
    "--v3",
    "with_v3",
    is_flag=True,
    help="also 新苑小区 (code demo-v3), paying through the sandbox's WeChat Pay API v3 merchant",
)
@with_appcontext
def load_demo(with_v3):
    """Load the demo compound 市供电局小区 (code `demo`); running it again changes nothing."""
    summary = demo.load()
    state = "loaded" if summary.created else "already present"
    click.echo(
        f"demo compound {state}: {summary.buildings} buildings, {summary.units} units, "
        f"{summary.households} households, {summary.users} people with roles"
    )
    if with_v3:
        v3 = demo.load_v3()
        if v3 is None:
            raise click.ClickException("no sandbox-v3 WeChat Pay merchant here (production)")
        click.echo(
            f"demo compound {demo.V3_NAME} ({demo.V3_CODE}, WeChat Pay API v3) "
            f"{'loaded' if v3.created else 'already present'}: {v3.households} households"
        )


@click.group("invites")
def invites_group():
    """Household invite codes for a census day."""


@invites_group.command("create")
@click.option("--compound", "compound_code", required=True)
@click.option("--building", type=int, help="only this building")
@click.option("--unit", help="only this unit, e.g. 1-2")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="CSV file (default: stdout)"
)
@with_appcontext
def create_invites(compound_code, building, unit, out):
    """Print one new code per household (older unused codes stop working)."""
    try:
        issued = invites.issue(None, compound_code, building=building, unit=unit)
    except AppError as error:
        _fail(error)
    stream = out.open("w", newline="", encoding="utf-8-sig") if out else sys.stdout
    writer = csv.writer(stream)
    writer.writerow(["household", "code", "expires_at_utc"])
    for item in issued:
        writer.writerow([item.household.label, item.code, item.expires_at.isoformat()])
    if out:
        stream.close()
        click.echo(f"{len(issued)} codes written to {out}", err=True)


@click.group("bills")
def bills_group():
    """Bills of the fees the owners agreed on."""


@bills_group.command("generate")
@click.option(
    "--period",
    required=True,
    help="the month, e.g. 2026-12 (quarterly/yearly fees: its quarter/year)",
)
@click.option("--compound", "compound_code", help="only this compound (default: all)")
@with_appcontext
def generate_bills(period, compound_code):
    """Create the period's bills; running it again creates nothing new."""
    total = fees.count_billable(compound_code)
    try:
        with click.progressbar(length=total, label=f"bills for {period}", file=sys.stderr) as bar:
            result = fees.generate_bills(period, compound_code, progress=bar.update)
    except AppError as error:
        _fail(error)
    click.echo(
        f"{result.created} new bills ({result.households - result.created} existed already) "
        f"for {result.items} fee items"
        + (f"; {result.skipped} households owe nothing for it" if result.skipped else "")
    )


@click.group("payments")
def payments_group():
    """WeChat Pay orders."""


@payments_group.command("reconcile")
@click.option(
    "--min-age", default=300, show_default=True, help="only orders pending this many seconds"
)
@with_appcontext
def reconcile_payments(min_age):
    """Ask WeChat Pay about pending orders: credit paid ones, close expired ones."""
    result = pending_orders.reconcile(min_age=min_age)
    click.echo(f"checked {result.checked}, credited {result.credited}, closed {result.closed}")
    for line in result.differences:
        click.echo(f"  {line}")


@payments_group.command("report")
@click.option(
    "--day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="the day (Asia/Shanghai) to compare; default yesterday",
)
@with_appcontext
def payment_report(day):
    """Compare a day's orders with WeChat Pay and keep one report per compound."""
    reports = reconciliation.daily_report(day.date() if day else None)
    if reports is None:
        raise click.ClickException("WeChat Pay is not configured")
    if not reports:
        click.echo("no orders that day")
    for report in reports:
        summary = report.summary
        click.echo(
            f"compound {report.compound_id} {summary['day']}: {summary['orders']} orders, "
            f"{summary['differences']} differences, {summary['open_anomalies']} open anomalies"
        )
        for line in (report.differences or "").splitlines():
            click.echo(f"  {line}")


@click.group("ledger")
def ledger_group():
    """The append-only, hash-chained ledger."""


@ledger_group.command("verify")
@click.option("--compound", "compound_code", help="only this compound (default: all)")
@click.option("--full", is_flag=True, help="recompute every entry from the genesis")
@with_appcontext
def verify_ledger(compound_code, full):
    """Check each chain from its newest verified checkpoint (--full: from the genesis),
    report the first entry that was changed, and record the verified heads."""
    started = time.perf_counter()
    run = ledger_checks.verify_all(compound_code, full=full)
    seconds = time.perf_counter() - started
    result = run.broken
    if result is None:
        resumed = sum(1 for r in run.results if r.from_seq)
        click.echo(
            f"ledger OK: {len(run.results)} chains, {run.checked:,} entries recomputed "
            f"({resumed} from their last checkpoint, {len(run.results) - resumed} from "
            f"their first entry) in {seconds:.1f} s"
        )
        return
    where = f"entry {result.seq}" + (f" (id {result.entry_id})" if result.entry_id else "")
    note = f" ({result.note})" if result.note else ""
    raise click.ClickException(
        f"ledger of {result.compound} broken at {where}: {result.problem}{note}"
    )


@click.command("scheduler")
@with_appcontext
def scheduler():
    """Run the job scheduler in the foreground (one per deployment; extras stand by)."""
    from flask import current_app

    from server.jobs.runner import run_forever

    run_forever(current_app._get_current_object())


def register_cli(app: Flask) -> None:
    for command in (
        grant_role,
        revoke_role,
        load_demo,
        compounds_group,
        roster_group,
        invites_group,
        bills_group,
        payments_group,
        ledger_group,
        scheduler,
        desk_group,
        uploads_group,
    ):
        app.cli.add_command(command)
