"""registry_import: one row per registry import swapped in

Revision ID: 0011_registry_import
Revises: 0010_office_profile
Create Date: 2026-12-04

registry_import records each successful import of a civil-registry export (issue 12, point
2): the office, when, the file's name, who ran it, the rows read, imported, updated, rejected
and imported with a warning, and what changed against the registry before it (new residents
issued in the regency, moved in, returned, newly recorded, newly printed, died, moved out).
It is written in the import's swap transaction, so a failed import leaves no row. Imports
made before this migration were not recorded: an office that has imported before sees "no
import recorded" until its next import.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_registry_import"
down_revision = "0010_office_profile"
branch_labels = None
depends_on = None

FIGURES = (
    "rows",
    "imported",
    "updated",
    "rejected",
    "warned",
    "new_local",
    "moved_in",
    "returned",
    "recorded",
    "printed",
    "died",
    "moved_out",
)


def upgrade() -> None:
    op.create_table(
        "registry_import",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("office_code", sa.String(length=5), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in FIGURES),
        sa.ForeignKeyConstraint(
            ["office_code"], ["office.code"], name=op.f("fk_registry_import_office_code_office")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_import")),
    )
    with op.batch_alter_table("registry_import", schema=None) as batch_op:
        batch_op.create_index(
            "ix_registry_import_office_at", ["office_code", "imported_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("registry_import", schema=None) as batch_op:
        batch_op.drop_index("ix_registry_import_office_at")
    op.drop_table("registry_import")
