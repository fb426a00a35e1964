"""bill holders, disputed payments, anomaly resolution, per-compound reports

Revision ID: 3f5d1ab2bef0
Revises: 92b54cafc5d8
Create Date: 2026-11-30 18:13:59.078775

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "3f5d1ab2bef0"
down_revision = "92b54cafc5d8"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("bills", schema=None) as batch_op:
        batch_op.add_column(sa.Column("held_by", sa.String(length=24), nullable=True))

    _backfill_holders()

    # One anomaly per order and kind: keep the first of any repeats.
    op.execute(
        "DELETE FROM payment_anomalies WHERE payment_id IS NOT NULL AND id NOT IN "
        "(SELECT keep FROM (SELECT MIN(id) AS keep FROM payment_anomalies "
        "GROUP BY payment_id, kind) AS kept)"
    )
    with op.batch_alter_table("payment_anomalies", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "resolved_by_id",
                sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("resolution", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("refunded_fen", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_payment_anomalies_payment_id_kind"), ["payment_id", "kind"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_payment_anomalies_resolved_by_id_users"),
            "users",
            ["resolved_by_id"],
            ["id"],
        )

    # Reports are now one per compound and day; the old cross-compound ones are
    # regenerated on demand (`flask --app server payments report --day ...`).
    op.execute("DELETE FROM reconciliation_reports")
    with op.batch_alter_table("reconciliation_reports", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "compound_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
            )
        )
        batch_op.add_column(sa.Column("day", sa.Date(), nullable=False))
        batch_op.create_unique_constraint(
            batch_op.f("uq_reconciliation_reports_compound_id_day"), ["compound_id", "day"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_reconciliation_reports_compound_id_compounds"),
            "compounds",
            ["compound_id"],
            ["id"],
        )


def _backfill_holders():
    """Pending and paid bills learn which payment holds (or paid) them."""
    bind = op.get_bind()
    sources = (
        (
            "payment",
            "SELECT pb.bill_id, p.id FROM payment_bills pb JOIN payments p "
            "ON p.id = pb.payment_id WHERE p.status IN ('pending', 'paid')",
        ),
        (
            "offline",
            "SELECT ob.bill_id, o.id FROM offline_payment_bills ob JOIN offline_payments o "
            "ON o.id = ob.offline_payment_id WHERE o.status IN ('pending', 'confirmed')",
        ),
    )
    for kind, query in sources:
        rows = [
            {"bill": bill, "holder": f"{kind}:{holder}"}
            for bill, holder in bind.execute(sa.text(query))
        ]
        if rows:
            bind.execute(
                sa.text(
                    "UPDATE bills SET held_by = :holder WHERE id = :bill "
                    "AND status IN ('pending', 'paid') AND held_by IS NULL"
                ),
                rows,
            )


def downgrade():
    with op.batch_alter_table("reconciliation_reports", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_reconciliation_reports_compound_id_compounds"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("uq_reconciliation_reports_compound_id_day"), type_="unique"
        )
        batch_op.drop_column("day")
        batch_op.drop_column("compound_id")

    with op.batch_alter_table("payment_anomalies", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_payment_anomalies_resolved_by_id_users"), type_="foreignkey"
        )
        # MariaDB lets the foreign key on payment_id lean on the unique index: take the
        # key off while the index goes, then put it back (with an index of its own).
        batch_op.drop_constraint(
            batch_op.f("fk_payment_anomalies_payment_id_payments"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("uq_payment_anomalies_payment_id_kind"), type_="unique")
        batch_op.create_foreign_key(
            batch_op.f("fk_payment_anomalies_payment_id_payments"),
            "payments",
            ["payment_id"],
            ["id"],
        )
        batch_op.drop_column("refunded_fen")
        batch_op.drop_column("resolution")
        batch_op.drop_column("resolved_by_id")

    with op.batch_alter_table("bills", schema=None) as batch_op:
        batch_op.drop_column("held_by")
