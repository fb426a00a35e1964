"""settle 0-fen bills: nothing is owed on them, and they could never be paid

Bills are no longer made for 0 fen (a shared charge smaller than the households, a
tiny area). Earlier ones still unpaid are marked paid, so they stop counting as
owed in the figures, the unpaid lists and the reminders. No ledger entry: no money.

Revision ID: 5b0e2c7d9a14
Revises: 3f5d1ab2bef0
Create Date: 2026-11-30 19:05:00

"""

from alembic import op

revision = "5b0e2c7d9a14"
down_revision = "3f5d1ab2bef0"
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "UPDATE bills SET status = 'paid', paid_at = created_at "
        "WHERE amount_fen = 0 AND status = 'unpaid'"
    )


def downgrade():
    pass  # which of them were settled here is not kept; nothing to undo for money
