"""fees, bills, payments, ledger

Revision ID: cd90d109c0fb
Revises: f001e4ad4559
Create Date: 2026-11-30 17:29:44.449009

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

# revision identifiers, used by Alembic.
revision = "cd90d109c0fb"
down_revision = "f001e4ad4559"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "reconciliation_reports",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "started_at",
            sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"),
            nullable=False,
        ),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("differences", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconciliation_reports")),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_unicode_ci",
        mysql_engine="InnoDB",
    )
    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "compound_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("account", sa.String(length=48), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("source_type", sa.String(length=24), nullable=False),
        sa.Column(
            "source_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("actor_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("memo", sa.String(length=200), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"),
            nullable=False,
        ),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_ledger_entries_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["compound_id"], ["compounds.id"], name=op.f("fk_ledger_entries_compound_id_compounds")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entries")),
        sa.UniqueConstraint("compound_id", "seq", name=op.f("uq_ledger_entries_compound_id_seq")),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_unicode_ci",
        mysql_engine="InnoDB",
    )
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.create_index("ix_ledger_source", ["source_type", "source_id"], unique=False)

    op.create_table(
        "ledger_heads",
        sa.Column(
            "compound_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["compound_id"], ["compounds.id"], name=op.f("fk_ledger_heads_compound_id_compounds")
        ),
        sa.PrimaryKeyConstraint("compound_id", name=op.f("pk_ledger_heads")),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_unicode_ci",
        mysql_engine="InnoDB",
    )
    op.create_table(
        "meter_readings",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "compound_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("unit_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "fee_item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column(
            "entered_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "created_at",
            sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["compound_id"], ["compounds.id"], name=op.f("fk_meter_readings_compound_id_compounds")
        ),
        sa.ForeignKeyConstraint(
            ["entered_by_id"], ["users.id"], name=op.f("fk_meter_readings_entered_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["fee_item_id"], ["fee_items.id"], name=op.f("fk_meter_readings_fee_item_id_fee_items")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_meter_readings_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meter_readings")),
        sa.UniqueConstraint(
            "unit_id",
            "fee_item_id",
            "period",
            name=op.f("uq_meter_readings_unit_id_fee_item_id_period"),
        ),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_unicode_ci",
        mysql_engine="InnoDB",
    )
    with op.batch_alter_table("meter_readings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meter_readings_compound_id"), ["compound_id"], unique=False
        )

    op.create_table(
        "bills",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "compound_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "household_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "fee_item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("basis", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"),
            nullable=False,
        ),
        sa.Column(
            "paid_at",
            sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["compound_id"], ["compounds.id"], name=op.f("fk_bills_compound_id_compounds")
        ),
        sa.ForeignKeyConstraint(
            ["fee_item_id"], ["fee_items.id"], name=op.f("fk_bills_fee_item_id_fee_items")
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"], name=op.f("fk_bills_household_id_households")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bills")),
        sa.UniqueConstraint(
            "household_id",
            "fee_item_id",
            "period",
            name=op.f("uq_bills_household_id_fee_item_id_period"),
        ),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_unicode_ci",
        mysql_engine="InnoDB",
    )
    with op.batch_alter_table("bills", schema=None) as batch_op:
        batch_op.create_index(
            "ix_bills_compound_period_status", ["compound_id", "period", "status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_bills_household_id"), ["household_id"], unique=False)

    op.create_table(
        "payments",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "compound_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "household_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("payer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("out_trade_no", sa.String(length=32), nullable=False),
        sa.Column("total_fen", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("prepay_id", sa.String(length=64), nullable=True),
        sa.Column("transaction_id", sa.String(length=32), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"),
            nullable=False,
        ),
        sa.Column(
            "expires_at",
            sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"),
            nullable=False,
        ),
        sa.Column(
            "paid_at",
            sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"),
            nullable=True,
        ),
        sa.Column(
            "closed_at",
            sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"),
            nullable=True,
        ),
        sa.Column("credited_by", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["compound_id"], ["compounds.id"], name=op.f("fk_payments_compound_id_compounds")
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"], name=op.f("fk_payments_household_id_households")
        ),
        sa.ForeignKeyConstraint(
            ["payer_id"], ["users.id"], name=op.f("fk_payments_payer_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("out_trade_no", name=op.f("uq_payments_out_trade_no")),
        sa.UniqueConstraint("transaction_id", name=op.f("uq_payments_transaction_id")),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_unicode_ci",
        mysql_engine="InnoDB",
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payments_compound_id"), ["compound_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_payments_household_id"), ["household_id"], unique=False
        )
        batch_op.create_index("ix_payments_status_created", ["status", "created_at"], unique=False)

    op.create_table(
        "payment_anomalies",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "compound_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "payment_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"),
            nullable=False,
        ),
        sa.Column(
            "resolved_at",
            sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["compound_id"],
            ["compounds.id"],
            name=op.f("fk_payment_anomalies_compound_id_compounds"),
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_payment_anomalies_payment_id_payments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_anomalies")),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_unicode_ci",
        mysql_engine="InnoDB",
    )
    with op.batch_alter_table("payment_anomalies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payment_anomalies_compound_id"), ["compound_id"], unique=False
        )

    op.create_table(
        "payment_bills",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "payment_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("bill_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["bill_id"], ["bills.id"], name=op.f("fk_payment_bills_bill_id_bills")
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_payment_bills_payment_id_payments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_bills")),
        sa.UniqueConstraint(
            "payment_id", "bill_id", name=op.f("uq_payment_bills_payment_id_bill_id")
        ),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_unicode_ci",
        mysql_engine="InnoDB",
    )
    with op.batch_alter_table("payment_bills", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payment_bills_bill_id"), ["bill_id"], unique=False)

    op.create_table(
        "offline_payments",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "compound_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "household_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column(
            "receipt_upload_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "recorded_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "decided_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "decided_at",
            sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"),
            nullable=True,
        ),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["compound_id"],
            ["compounds.id"],
            name=op.f("fk_offline_payments_compound_id_compounds"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_offline_payments_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_offline_payments_household_id_households"),
        ),
        sa.ForeignKeyConstraint(
            ["receipt_upload_id"],
            ["uploads.id"],
            name=op.f("fk_offline_payments_receipt_upload_id_uploads"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_offline_payments_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offline_payments")),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_unicode_ci",
        mysql_engine="InnoDB",
    )
    with op.batch_alter_table("offline_payments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_offline_payments_compound_id"), ["compound_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_offline_payments_household_id"), ["household_id"], unique=False
        )

    op.create_table(
        "offline_payment_bills",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "offline_payment_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("bill_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["bill_id"], ["bills.id"], name=op.f("fk_offline_payment_bills_bill_id_bills")
        ),
        sa.ForeignKeyConstraint(
            ["offline_payment_id"],
            ["offline_payments.id"],
            name=op.f("fk_offline_payment_bills_offline_payment_id_offline_payments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offline_payment_bills")),
        sa.UniqueConstraint(
            "offline_payment_id",
            "bill_id",
            name=op.f("uq_offline_payment_bills_offline_payment_id_bill_id"),
        ),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_unicode_ci",
        mysql_engine="InnoDB",
    )
    with op.batch_alter_table("offline_payment_bills", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_offline_payment_bills_bill_id"), ["bill_id"], unique=False
        )


def downgrade():
    # Whole tables, children first (MariaDB will not drop an index a foreign key needs).
    op.drop_table("offline_payment_bills")
    op.drop_table("offline_payments")
    op.drop_table("payment_bills")
    op.drop_table("payment_anomalies")
    op.drop_table("payments")
    op.drop_table("bills")
    op.drop_table("meter_readings")
    op.drop_table("ledger_heads")
    op.drop_table("ledger_entries")
    op.drop_table("reconciliation_reports")
