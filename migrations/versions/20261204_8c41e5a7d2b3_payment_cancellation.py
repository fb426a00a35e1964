"""payment cancellation: who cancelled an open WeChat Pay order, and when

Revision ID: 8c41e5a7d2b3
Revises: a7c3e9d2f104
Create Date: 2026-12-04 10:00:00

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "8c41e5a7d2b3"
down_revision = "a7c3e9d2f104"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "cancel_requested_at",
                sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column(
                "cancelled_by_id",
                sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                nullable=True,
            )
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_payments_cancelled_by_id_users"), "users", ["cancelled_by_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_payments_cancelled_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("cancelled_by_id")
        batch_op.drop_column("cancel_requested_at")
