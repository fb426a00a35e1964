"""`flask --app server uploads …`: the operator moves photos between stores."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from server.config import ConfigError
from server.errors import AppError
from server.extensions import db
from server.models import Upload
from server.storage import BACKENDS, build_storage
from server.storage.migrate import migrate_uploads


@click.group("uploads")
def uploads_group():
    """Uploaded photos: move them between stores (local, s3, database)."""


@uploads_group.command("migrate")
@click.option("--from", "source", type=click.Choice(BACKENDS), required=True)
@click.option("--to", "target", type=click.Choice(BACKENDS), required=True)
@click.option("--dry-run", is_flag=True, help="check the source, copy nothing")
@with_appcontext
def migrate(source: str, target: str, dry_run: bool):
    """Copy every photo's bytes from one store to another, checking each by its sha256.

    Run it again after an interruption: photos already copied are skipped. The source
    is kept; switch STORAGE_BACKEND to the target once the run reports no problem.
    Exits 1 when a photo is missing, damaged or not read back intact.

    Photos are the only lasting files in the store. Roster files checked on the desk
    (desk-roster/...) are transient and not moved: one waits only for its 确认导入 within
    the desk session that checked it (at most CONSOLE_SESSION_HOURS), and one still
    waiting when STORAGE_BACKEND switches is simply checked again (the desk asks for
    the file). Roster files sent through the API are never stored.
    """
    if source == target:
        raise click.UsageError("--from and --to name the same store")
    try:
        stores = (
            build_storage(current_app.config, source),
            build_storage(current_app.config, target),
        )
    except ConfigError as error:
        raise click.ClickException(str(error)) from None
    total = db.session.scalar(select(func.count()).select_from(Upload)) or 0
    db.session.commit()
    try:
        with click.progressbar(length=total or 1, label="photos", file=sys.stderr) as bar:
            result = migrate_uploads(*stores, dry_run=dry_run, progress=bar.update)
    except AppError as error:  # a store away: nothing half-done, run it again
        raise click.ClickException(
            f"stopped: a store could not be reached ({error.code}); run it again"
        ) from None
    verb = "would copy" if dry_run else "copied"
    click.echo(
        f"{source} → {target}: {result.seen} photos, {verb} {result.copied}, "
        f"already there {result.present}, missing {len(result.missing)}, "
        f"damaged {len(result.corrupt)}, failed {len(result.failed)}"
    )
    for label, keys in (
        ("missing", result.missing),
        ("damaged", result.corrupt),
        ("failed", result.failed),
    ):
        for key in keys:
            click.echo(f"  {label}: {key}")
    if result.problems:
        raise SystemExit(1)
