"""ledger balances index: a compound's balances from the index alone

A ledger page sums its compound's entries by account and direction (the balances): at
district size the biggest chain's 3,663 entries were read row by row through
(compound_id, seq) into a temporary table and sorted (18,330 rows read, 13-25 ms);
(compound_id, account, direction, amount_fen) answers it from the index alone, in
its order (3,664 rows read, 4.2 ms).

Revision ID: e3b7c41d9a52
Revises: d41ba1a4ce05
Create Date: 2026-12-06 15:35:00

"""

from alembic import op

revision = "e3b7c41d9a52"
down_revision = "d41ba1a4ce05"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ledger_compound_balances",
            ["compound_id", "account", "direction", "amount_fen"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_compound_balances")
