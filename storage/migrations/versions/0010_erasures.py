"""erasures: the audit of personal data erased on request (who, when, which member id)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "erasures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column(
            "channel",
            sa.Enum("cli", "chat", name="erasurechannel", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("erased_by", sa.BigInteger(), nullable=True),
        sa.Column("operator", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("rows_changed", sa.Integer(), nullable=False),
        sa.Column("at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_erasures_member", "erasures", ["member_id"])


def downgrade() -> None:
    op.drop_index("ix_erasures_member", table_name="erasures")
    op.drop_table("erasures")
