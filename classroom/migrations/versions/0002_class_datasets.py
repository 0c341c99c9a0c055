"""A teacher's dataset for a class (issue 17): the CSV text the class's pages use.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "class_datasets",
        sa.Column("class_id", sa.Integer, sa.ForeignKey("classes.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("csv", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("class_datasets")
