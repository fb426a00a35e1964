"""Alembic environment, driven by Flask-Migrate (`flask --app server db ...`)."""

import logging

from alembic import context
from flask import current_app

from server.models.base import Fixed, UTCDateTime

logger = logging.getLogger("alembic.env")
config = context.config
migrate_ext = current_app.extensions["migrate"]
target_metadata = migrate_ext.db.metadata


def render_item(type_, obj, autogen_context):
    """Render our TypeDecorators as plain SQLAlchemy types, so a migration never
    depends on today's application code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        autogen_context.imports.add("from sqlalchemy.dialects import mysql")
        return 'sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")'
    if type_ == "type" and isinstance(obj, Fixed):
        precision, scale = obj.impl.precision, obj.scale
        return f'sa.Numeric({precision}, {scale}).with_variant(sa.String(32), "sqlite")'
    return False


def process_revision_directives(context_, revision, directives):
    # An autogenerate with no schema change writes no empty revision.
    if getattr(config.cmd_opts, "autogenerate", False):
        script = directives[0]
        if script.upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")


def run_migrations_offline():
    context.configure(
        url=str(migrate_ext.db.engine.url),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    conf_args = dict(migrate_ext.configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    conf_args.setdefault("render_item", render_item)
    with migrate_ext.db.engine.connect() as connection:
        # SQLite alters a table by copying it and dropping the old one; with foreign keys
        # on, dropping a table other rows point at (compounds) fails. Off while migrating
        # (it cannot change inside a transaction), on again for the pool.
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:  # on the driver's connection: SQLAlchemy's would BEGIN first
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            context.configure(connection=connection, target_metadata=target_metadata, **conf_args)
            with context.begin_transaction():
                context.run_migrations()
        finally:
            if sqlite:
                connection.rollback()  # nothing open after a migration; ends any autobegin
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
