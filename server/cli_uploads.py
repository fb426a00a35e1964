"""`flask --app server uploads …`: the operator moves stored files between stores."""

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
from server.storage.migrate import OTHER_FILES, PHOTOS, migrate_files


@click.group("uploads")
def uploads_group():
    """Stored files (photos, roster files): move them between stores (local, s3, database)."""


@uploads_group.command("migrate")
@click.option("--from", "source", type=click.Choice(BACKENDS), required=True)
@click.option("--to", "target", type=click.Choice(BACKENDS), required=True)
@click.option("--dry-run", is_flag=True, help="check the source and count, copy nothing")
@with_appcontext
def migrate(source: str, target: str, dry_run: bool):
    """Copy every stored file from one store to another, each copy read back and checked
    (size and sha256) before it counts.

    Photos are checked against the sha256 recorded at upload; every other file in the
    source is copied too: the desk's roster files waiting for 确认导入 (desk-roster/...)
    and any file no photo row names, checked against the bytes read from the source.

    Run it again after an interruption: files already copied are skipped. The source is
    kept; run it once more just before switching STORAGE_BACKEND to the target (a roster
    file checked on the desk after the last run is asked for again). Exits 1 when a
    photo is missing or damaged in the source, or a copy is not read back intact.
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
            result = migrate_files(*stores, dry_run=dry_run, progress=bar.update)
    except AppError as error:  # a store away: nothing half-done, run it again
        raise click.ClickException(
            f"stopped: a store could not be reached ({error.code}); run it again"
        ) from None
    verb = "would copy" if dry_run else "copied"
    for kind, tally in result.kinds.items():
        if kind == OTHER_FILES and not tally.seen:
            continue
        line = f"{source} → {target}: {tally.seen} {kind}, {verb} {tally.copied}, "
        line += f"already there {tally.present}, "
        if kind == PHOTOS:
            line += f"missing {len(tally.missing)}, damaged {len(tally.corrupt)}, "
        else:
            line += f"gone meanwhile {tally.gone}, "
        click.echo(line + f"failed {len(tally.failed)}")
    for tally in result.kinds.values():
        for label, keys in (
            ("missing", tally.missing),
            ("damaged", tally.corrupt),
            ("failed", tally.failed),
        ):
            for key in keys:
                click.echo(f"  {label}: {key}")
    if result.problems:
        raise SystemExit(1)
