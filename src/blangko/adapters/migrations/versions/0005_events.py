"""events and the villages they touch

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 00:15:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "event",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("office_code", sa.String(length=5), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_code"], ["office.code"], name=op.f("fk_event_office_code_office")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event")),
    )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index("ix_event_office_date", ["office_code", "event_date"], unique=False)
    op.create_table(
        "event_village",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("kode_desa", sa.String(length=13), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_event_village_event_id_event")
        ),
        sa.ForeignKeyConstraint(
            ["kode_desa"], ["region.code"], name=op.f("fk_event_village_kode_desa_region")
        ),
        sa.PrimaryKeyConstraint("event_id", "kode_desa", name=op.f("pk_event_village")),
    )


def downgrade() -> None:
    op.drop_table("event_village")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index("ix_event_office_date")
    op.drop_table("event")
