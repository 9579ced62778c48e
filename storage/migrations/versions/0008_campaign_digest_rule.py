"""campaigns.digest_rule: when the weekly digest goes to officers and bloc heads

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 08:20:00

Added and dropped with plain ALTER TABLE, not in a batch (see 0005).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "campaigns",
        sa.Column(
            "digest_rule",
            sqlmodel.sql.sqltypes.AutoString(length=32),
            server_default="mon 08:00",
            nullable=False,
        ),
    )


def downgrade() -> None:
    op.drop_column("campaigns", "digest_rule")
