"""compound list and month indexes: a compound's issues newest first, a month's issues,
timeline entries and return-visit answers

Page 1 of the committee's list filtered by compound read up to 810,000 rows at district
size (a backward walk of the whole table by id); a month's figures read the compound's
whole timeline. With these, each reads about what it shows.

Revision ID: 131ea15db24c
Revises: 5b0e2c7d9a14
Create Date: 2026-12-04 23:30:00

"""

from alembic import op

revision = "131ea15db24c"
down_revision = "5b0e2c7d9a14"
branch_labels = None
depends_on = None

# (table, index, columns)
INDEXES = (
    ("issues", "ix_issues_compound_list", ["compound_id", "id"]),
    ("issues", "ix_issues_compound_created", ["compound_id", "created_at"]),
    ("issue_events", "ix_issue_events_compound_created", ["compound_id", "created_at"]),
    ("return_visits", "ix_return_visits_compound_answered", ["compound_id", "answered_at"]),
)
# Tables whose foreign key to compounds had an index of its own, which InnoDB drops
# once one of these can serve the key (issues' is ix_issues_compound_status).
OWN_FK_INDEX = {"issue_events", "return_visits"}


def upgrade():
    for table, name, columns in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)


def downgrade():
    mysql = op.get_bind().dialect.name in ("mysql", "mariadb")
    for table, name, _columns in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            if mysql and table in OWN_FK_INDEX:
                # The foreign key's own index back first: InnoDB will not drop the
                # index a foreign key uses.
                batch_op.create_index(f"fk_{table}_compound_id_compounds", ["compound_id"])
            batch_op.drop_index(name)
