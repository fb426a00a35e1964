"""auto-close index, inbox dedupe key

Revision ID: 92b54cafc5d8
Revises: cd90d109c0fb
Create Date: 2026-11-30 17:53:47.041168

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "92b54cafc5d8"
down_revision = "cd90d109c0fb"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("issues", schema=None) as batch_op:
        batch_op.create_index("ix_issues_status_resolved", ["status", "resolved_at"], unique=False)

    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dedupe_key", sa.String(length=120), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_notifications_dedupe_key"), ["dedupe_key"])


def downgrade():
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_notifications_dedupe_key"), type_="unique")
        batch_op.drop_column("dedupe_key")

    with op.batch_alter_table("issues", schema=None) as batch_op:
        batch_op.drop_index("ix_issues_status_resolved")
