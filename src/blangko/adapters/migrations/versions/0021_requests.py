"""requests: requests for blanks from asked to received, their timeline, shipments as tranches

Revision ID: 0021_requests
Revises: 0015_network
Create Date: 2026-12-02

Issue 13, point 4. `blank_request` holds an office's request for blanks (the forecast's
recommendation and reasons as drafted, the quantity asked, the state, the directorate's
decision, the tranches' running totals); `request_event` its timeline (actor, time, comment
of every step); `shipment.request_id` ties a shipment to the request it is a tranche of
(docs/network.md, "The life of a request").
"""

import sqlalchemy as sa
from alembic import op

revision = "0021_requests"
down_revision = "0020_home_office"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "blank_request",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("office_code", sa.String(5), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("recommended_qty", sa.Integer, nullable=False),
        sa.Column("reasons", sa.Text, nullable=False),
        sa.Column("asked_qty", sa.Integer, nullable=False),
        sa.Column("edit_reason", sa.Text, nullable=True),
        sa.Column("number", sa.String(100), nullable=True),
        sa.Column("approved_qty", sa.Integer, nullable=True),
        sa.Column("decision_reason", sa.Text, nullable=True),
        sa.Column("shipped_qty", sa.Integer, nullable=False),
        sa.Column("arrived_qty", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("submitted_at", sa.DateTime, nullable=True),
        sa.Column("decided_at", sa.DateTime, nullable=True),
        sa.Column("received_at", sa.DateTime, nullable=True),
        sa.Column("closed_at", sa.DateTime, nullable=True),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.ForeignKeyConstraint(
            ["office_code"], ["office.code"], name=op.f("fk_blank_request_office_code_office")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blank_request")),
    )
    op.create_index("ix_blank_request_office_state", "blank_request", ["office_code", "state"])
    op.create_table(
        "request_event",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("request_id", sa.Integer, nullable=False),
        sa.Column("office_code", sa.String(5), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("from_state", sa.String(20), nullable=True),
        sa.Column("to_state", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("comment", sa.Text, nullable=True),
        sa.Column("quantity", sa.Integer, nullable=True),
        sa.Column("shipment_id", sa.Integer, nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["blank_request.id"],
            name=op.f("fk_request_event_request_id_blank_request"),
        ),
        sa.ForeignKeyConstraint(
            ["office_code"], ["office.code"], name=op.f("fk_request_event_office_code_office")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_event")),
    )
    op.create_index("ix_request_event_request_id", "request_event", ["request_id"])
    with op.batch_alter_table("shipment") as batch:
        batch.add_column(sa.Column("request_id", sa.Integer, nullable=True))
    op.create_index("ix_shipment_request_id", "shipment", ["request_id"])


def downgrade() -> None:
    op.drop_index("ix_shipment_request_id", "shipment")
    with op.batch_alter_table("shipment") as batch:
        batch.drop_column("request_id")
    op.drop_index("ix_request_event_request_id", "request_event")
    op.drop_table("request_event")
    op.drop_index("ix_blank_request_office_state", "blank_request")
    op.drop_table("blank_request")
