"""unit_figures: each unit's summary figures per campaign, kept by a job and invalidated by
triggers, so an organisation summary reads 500 rows instead of aggregating every pledge

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-22 10:30:00

Every row carries `version`, which triggers on the tables the figures come from bump whenever a
row that counts for the unit changes (any code path, bulk imports included), and
`computed_version`, the version the stored figures were computed at. A row is fresh only when
the two are equal; `bot/summary_cache.py` explains why this cannot lose a change.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types
from storage.figures_triggers import create_statements, drop_statements

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "unit_figures",
        sa.Column(
            "campaign_id",
            sa.Integer(),
            sa.ForeignKey("campaigns.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "unit_id", sa.Integer(), sa.ForeignKey("units.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("computed_version", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("milestone_id", sa.Integer(), nullable=True),
        sa.Column("share", sa.String(length=16), nullable=False, server_default=""),
        sa.Column("roster", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("approved", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("reported", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("late_reports", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("targets", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("on_track", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("titles", sa.Text(), nullable=False, server_default="{}"),
        sa.Column("computed_at", storage.types.UTCDateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_unit_figures_unit", "unit_figures", ["unit_id"])
    for statement in create_statements(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    for statement in drop_statements(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_index("ix_unit_figures_unit", table_name="unit_figures")
    op.drop_table("unit_figures")
