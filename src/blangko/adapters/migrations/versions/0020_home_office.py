"""home office: the office a database was first set up for

Revision ID: 0020_home_office
Revises: 0015_network
Create Date: 2026-12-02

Issue 13. A database that holds the directorate, a province's offices or many offices still
has one office its command line works for: the one it was first set up for (`blangko init
--office`), changed with `blangko office home CODE`. A command that names no office
(`--office`, BLANGKO_OFFICE) acts on it. A database with exactly one office gets that office
as its home; one with several keeps none (commands name their office, as before) until
`blangko office home` sets it.
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0020_home_office"
down_revision = "0019_snapshots"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "home_office",
        sa.Column("id", sa.Integer, autoincrement=False, nullable=False),
        sa.Column("office_code", sa.String(5), nullable=False),
        sa.Column("set_at", sa.DateTime, nullable=False),
        sa.Column("set_by", sa.String(100), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_code"], ["office.code"], name=op.f("fk_home_office_office_code_office")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_home_office")),
    )
    conn = op.get_bind()
    codes = [row[0] for row in conn.execute(sa.text("SELECT code FROM office LIMIT 2"))]
    if len(codes) == 1:
        conn.execute(
            sa.text(
                "INSERT INTO home_office (id, office_code, set_at, set_by) "
                "VALUES (1, :code, :at, 'migrasi')"
            ),
            {"code": codes[0], "at": datetime.now(UTC).replace(tzinfo=None)},
        )


def downgrade() -> None:
    op.drop_table("home_office")
