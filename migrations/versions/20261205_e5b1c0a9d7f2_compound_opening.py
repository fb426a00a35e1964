"""compound opening: district, street, contact, and archiving (read-only, nothing deleted)

Revision ID: e5b1c0a9d7f2
Revises: 8c41e5a7d2b3
Create Date: 2026-12-05 23:00:00

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "e5b1c0a9d7f2"
down_revision = "8c41e5a7d2b3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("compounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("district", sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column("street", sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column("contact_name", sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column("contact_phone", sa.String(length=20), nullable=True))
        batch_op.add_column(
            sa.Column(
                "archived_at",
                sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column(
                "archived_by_id",
                sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                nullable=True,
            )
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_compounds_archived_by_id_users"), "users", ["archived_by_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("compounds", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_compounds_archived_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("archived_by_id")
        batch_op.drop_column("archived_at")
        batch_op.drop_column("contact_phone")
        batch_op.drop_column("contact_name")
        batch_op.drop_column("street")
        batch_op.drop_column("district")
