"""two people for every yuan: approvals, pending and voided meter readings, cancelled bills

A meter reading now waits for a second committee member ("pending") before it makes
bills; a wrong confirmed one is voided, which cancels its bills. Readings entered
before this revision made their bills at once: they are "confirmed". `void_key` (0
for what stands, the row's own id once rejected, voided or cancelled) lets a unit's
month be read, and a household's month be billed, again after a void.

Revision ID: a7c3e9d2f104
Revises: 131ea15db24c
Create Date: 2026-12-04 22:55:16

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "a7c3e9d2f104"
down_revision = "131ea15db24c"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def upgrade():
    op.create_table(
        "approvals",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("compound_id", BIG_ID, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("subject_id", BIG_ID, nullable=False),
        sa.Column("summary", sa.String(length=200), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("effective_period", sa.String(length=7), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("proposed_by_id", BIG_ID, nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("decided_by_id", BIG_ID, nullable=True),
        sa.Column("decided_at", WHEN, nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("open_key", BIG_ID, server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["compound_id"], ["compounds.id"], name=op.f("fk_approvals_compound_id_compounds")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_approvals_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"], ["users.id"], name=op.f("fk_approvals_proposed_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approvals")),
        sa.UniqueConstraint(
            "kind", "subject_id", "open_key", name=op.f("uq_approvals_kind_subject_id_open_key")
        ),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_unicode_ci",
        mysql_engine="InnoDB",
    )
    with op.batch_alter_table("approvals", schema=None) as batch_op:
        batch_op.create_index("ix_approvals_compound_status", ["compound_id", "status"])

    # The new unique key first: on MariaDB the foreign key on the first column leans on
    # a unique index, and the old one may go only once another covers it.
    with op.batch_alter_table("bills", schema=None) as batch_op:
        batch_op.add_column(sa.Column("void_key", BIG_ID, server_default="0", nullable=False))
        batch_op.create_unique_constraint(
            batch_op.f("uq_bills_household_id_fee_item_id_period_void_key"),
            ["household_id", "fee_item_id", "period", "void_key"],
        )
        batch_op.drop_constraint(
            batch_op.f("uq_bills_household_id_fee_item_id_period"), type_="unique"
        )

    with op.batch_alter_table("meter_readings", schema=None) as batch_op:
        # Every reading so far made its bills when entered: it stands confirmed.
        batch_op.add_column(
            sa.Column("status", sa.String(length=16), server_default="confirmed", nullable=False)
        )
        batch_op.add_column(sa.Column("flag", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("void_key", BIG_ID, server_default="0", nullable=False))
        batch_op.create_unique_constraint(
            batch_op.f("uq_meter_readings_unit_id_fee_item_id_period_void_key"),
            ["unit_id", "fee_item_id", "period", "void_key"],
        )
        batch_op.drop_constraint(
            batch_op.f("uq_meter_readings_unit_id_fee_item_id_period"), type_="unique"
        )
    # A separate step: SQLite's batch copy fills the new column from its default.
    with op.batch_alter_table("meter_readings", schema=None) as batch_op:
        batch_op.alter_column(
            "status",
            existing_type=sa.String(length=16),
            existing_nullable=False,
            server_default=None,
        )


def downgrade():
    # Before this revision a reading made its bills at once and nothing was cancelled:
    # pending, rejected or voided readings and cancelled bills have no place there.
    bind = op.get_bind()
    left = bind.execute(
        sa.text(
            "SELECT (SELECT COUNT(*) FROM meter_readings WHERE status <> 'confirmed')"
            " + (SELECT COUNT(*) FROM bills WHERE status = 'cancelled')"
        )
    ).scalar()
    if left:
        raise RuntimeError(
            f"{left} meter readings not confirmed or bills cancelled: the schema before "
            "a7c3e9d2f104 cannot hold them; export them and remove them first"
        )
    with op.batch_alter_table("meter_readings", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            batch_op.f("uq_meter_readings_unit_id_fee_item_id_period"),
            ["unit_id", "fee_item_id", "period"],
        )
        batch_op.drop_constraint(
            batch_op.f("uq_meter_readings_unit_id_fee_item_id_period_void_key"), type_="unique"
        )
        batch_op.drop_column("void_key")
        batch_op.drop_column("flag")
        batch_op.drop_column("status")

    with op.batch_alter_table("bills", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            batch_op.f("uq_bills_household_id_fee_item_id_period"),
            ["household_id", "fee_item_id", "period"],
        )
        batch_op.drop_constraint(
            batch_op.f("uq_bills_household_id_fee_item_id_period_void_key"), type_="unique"
        )
        batch_op.drop_column("void_key")

    # Its index goes with the table (on MariaDB the compound's foreign key leans on it).
    op.drop_table("approvals")
