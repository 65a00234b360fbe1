"""office_profile: an office's own settings; application: who collected the card

Revision ID: 0010_office_profile
Revises: 0009_read_log_anchor
Create Date: 2026-12-03

office_profile holds what an office's reports print under its name (address, the regency
seat where they are signed, the head's name and NIP), the address of its public status page,
and the documents each application type needs at its counter (issue 12, points 5 and 6).
The application gets the handover's facts: collected by the applicant or by a proxy, with the
proxy's NIK, name and power of attorney (surat kuasa). Applications collected before this
migration keep these empty (not known).
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_office_profile"
down_revision = "0009_read_log_anchor"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "office_profile",
        sa.Column("office_code", sa.String(length=5), nullable=False),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("seat", sa.String(length=100), nullable=True),
        sa.Column("head_name", sa.String(length=200), nullable=True),
        sa.Column("head_nip", sa.String(length=18), nullable=True),
        sa.Column("public_url", sa.String(length=200), nullable=True),
        sa.Column("documents", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_code"], ["office.code"], name=op.f("fk_office_profile_office_code_office")
        ),
        sa.PrimaryKeyConstraint("office_code", name=op.f("pk_office_profile")),
    )
    with op.batch_alter_table("application") as batch_op:
        batch_op.add_column(sa.Column("collected_by", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("proxy_nik", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("proxy_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("power_of_attorney", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("application") as batch_op:
        batch_op.drop_column("power_of_attorney")
        batch_op.drop_column("proxy_name")
        batch_op.drop_column("proxy_nik")
        batch_op.drop_column("collected_by")
    op.drop_table("office_profile")
