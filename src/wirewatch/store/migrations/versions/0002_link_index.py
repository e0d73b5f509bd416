"""index for linking: events by type and country

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_events_type_country", "events", ["event_type", "country"])


def downgrade() -> None:
    op.drop_index("ix_events_type_country", table_name="events")
