"""payment anomalies: about a refund, one per refund (not one per order)

Revision ID: b7e2f4a91c3d
Revises: 0daa5d4b549d
Create Date: 2026-12-06 12:35:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b7e2f4a91c3d"
down_revision = "0daa5d4b549d"
branch_labels = None
depends_on = None


def upgrade():
    # The new key first: MariaDB keeps an index on payment_id for its foreign key.
    with op.batch_alter_table("payment_anomalies", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("refund_no", sa.String(length=64), server_default="", nullable=False)
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_payment_anomalies_payment_id_kind_refund_no"),
            ["payment_id", "kind", "refund_no"],
        )
    with op.batch_alter_table("payment_anomalies", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_payment_anomalies_payment_id_kind"), type_="unique")


def downgrade():
    op.execute(
        "DELETE FROM payment_anomalies WHERE refund_no <> '' AND id NOT IN "
        "(SELECT keep FROM (SELECT MIN(id) AS keep FROM payment_anomalies "
        "GROUP BY payment_id, kind) AS firsts)"
    )
    with op.batch_alter_table("payment_anomalies", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            batch_op.f("uq_payment_anomalies_payment_id_kind"), ["payment_id", "kind"]
        )
    with op.batch_alter_table("payment_anomalies", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_payment_anomalies_payment_id_kind_refund_no"), type_="unique"
        )
        batch_op.drop_column("refund_no")
