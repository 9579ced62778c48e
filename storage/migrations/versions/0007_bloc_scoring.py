"""bloc scoring: scoring sheets, criteria, unit scores and score events

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 08:01:34.178088

New tables only, so nothing existing is copied or rebuilt.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scoring_sheets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("bloc_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("scale", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("draft", "open", "published", name="sheetstatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("published_by", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["bloc_id"], ["blocs.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("campaign_id", "bloc_id", name="uq_scoring_sheets_campaign_bloc"),
    )
    with op.batch_alter_table("scoring_sheets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scoring_sheets_bloc_id"), ["bloc_id"], unique=False)

    op.create_table(
        "scoring_criteria",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sheet_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "normal", "bonus", "penalty", name="criterionkind", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("max_points", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.ForeignKeyConstraint(["sheet_id"], ["scoring_sheets.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sheet_id", "position", name="uq_scoring_criteria_sheet_position"),
    )
    op.create_table(
        "score_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sheet_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("criterion_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.BigInteger(), nullable=True),
        sa.Column(
            "action",
            sa.Enum(
                "self_scored",
                "adjusted",
                "published",
                name="scoreaction",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("old_points", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("new_points", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["criterion_id"], ["scoring_criteria.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["sheet_id"], ["scoring_sheets.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("score_events", schema=None) as batch_op:
        batch_op.create_index("ix_score_events_sheet_at", ["sheet_id", "at"], unique=False)

    op.create_table(
        "unit_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sheet_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("self_points", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("self_note", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.Column("evidence_file_id", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("final_points", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("adjusted_reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["criterion_id"], ["scoring_criteria.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["sheet_id"], ["scoring_sheets.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("criterion_id", "unit_id", name="uq_unit_scores_criterion_unit"),
    )
    with op.batch_alter_table("unit_scores", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unit_scores_sheet_id"), ["sheet_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_unit_scores_unit_id"), ["unit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("unit_scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unit_scores_unit_id"))
        batch_op.drop_index(batch_op.f("ix_unit_scores_sheet_id"))

    op.drop_table("unit_scores")
    with op.batch_alter_table("score_events", schema=None) as batch_op:
        batch_op.drop_index("ix_score_events_sheet_at")

    op.drop_table("score_events")
    op.drop_table("scoring_criteria")
    with op.batch_alter_table("scoring_sheets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scoring_sheets_bloc_id"))

    op.drop_table("scoring_sheets")
