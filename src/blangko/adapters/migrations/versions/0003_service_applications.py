"""service applications

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 23:52:33
"""

from alembic import op
import sqlalchemy as sa


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "capacity",
        sa.Column("office_code", sa.String(length=5), nullable=False),
        sa.Column("service", sa.String(length=12), nullable=False),
        sa.Column("per_day", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_code"], ["office.code"], name=op.f("fk_capacity_office_code_office")
        ),
        sa.PrimaryKeyConstraint("office_code", "service", name=op.f("pk_capacity")),
    )
    op.create_table(
        "closure",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("office_code", sa.String(length=5), nullable=False),
        sa.Column("service", sa.String(length=12), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("ended_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["office_code"], ["office.code"], name=op.f("fk_closure_office_code_office")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_closure")),
    )
    with op.batch_alter_table("closure", schema=None) as batch_op:
        batch_op.create_index("ix_closure_office", ["office_code"], unique=False)

    op.create_table(
        "open_day",
        sa.Column("office_code", sa.String(length=5), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_code"], ["office.code"], name=op.f("fk_open_day_office_code_office")
        ),
        sa.PrimaryKeyConstraint("office_code", "day", name=op.f("pk_open_day")),
    )
    op.create_table(
        "application",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("office_code", sa.String(length=5), nullable=False),
        sa.Column("receipt", sa.String(length=20), nullable=False),
        sa.Column("nik", sa.String(length=16), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("documents", sa.Text(), nullable=False),
        sa.Column("submitted_date", sa.Date(), nullable=False),
        sa.Column("day_seq", sa.Integer(), nullable=False),
        sa.Column("recorded_date", sa.Date(), nullable=True),
        sa.Column("ready_date", sa.Date(), nullable=True),
        sa.Column("printed_date", sa.Date(), nullable=True),
        sa.Column("station", sa.String(length=64), nullable=True),
        sa.Column("serial", sa.String(length=32), nullable=True),
        sa.Column("suket_at", sa.DateTime(), nullable=True),
        sa.Column("ikd_at", sa.DateTime(), nullable=True),
        sa.Column("collected_date", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["nik"], ["resident.nik"], name=op.f("fk_application_nik_resident")
        ),
        sa.ForeignKeyConstraint(
            ["office_code"], ["office.code"], name=op.f("fk_application_office_code_office")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application")),
        sa.UniqueConstraint(
            "office_code", "submitted_date", "day_seq", name="uq_application_day_seq"
        ),
        sa.UniqueConstraint("receipt", name="uq_application_receipt"),
    )
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.create_index("ix_application_nik", ["nik"], unique=False)
        batch_op.create_index(
            "ix_application_office_status", ["office_code", "status"], unique=False
        )

    op.create_table(
        "application_event",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("from_status", sa.String(length=12), nullable=True),
        sa.Column("to_status", sa.String(length=12), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_application_event_application_id_application"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_event")),
    )
    with op.batch_alter_table("application_event", schema=None) as batch_op:
        batch_op.create_index("ix_application_event_app", ["application_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("application_event", schema=None) as batch_op:
        batch_op.drop_index("ix_application_event_app")

    op.drop_table("application_event")
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_index("ix_application_office_status")
        batch_op.drop_index("ix_application_nik")

    op.drop_table("application")
    op.drop_table("open_day")
    with op.batch_alter_table("closure", schema=None) as batch_op:
        batch_op.drop_index("ix_closure_office")

    op.drop_table("closure")
    op.drop_table("capacity")
