"""ledger checkpoints keep each account's balance (helper ops)

The ledger's view sums only the entries after the newest verified checkpoint.

Revision ID: d41ba1a4ce05
Revises: 88b504eee0f3
Create Date: 2026-12-06 14:55:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d41ba1a4ce05"
down_revision = "88b504eee0f3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("ledger_checkpoints", schema=None) as batch_op:
        batch_op.add_column(sa.Column("balances", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("ledger_checkpoints", schema=None) as batch_op:
        batch_op.drop_column("balances")
