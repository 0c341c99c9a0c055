"""The classroom's tables (SQLAlchemy Core). Migrations in classroom/migrations create
and change them; this module is what the code reads and writes through.

Secrets are never stored: a teacher key and a learner token are kept only as SHA-256
hashes (both are 128 random bits, so a plain hash is enough; no password stretching is
needed for values nobody chose)."""
import sqlalchemy as sa

METADATA = sa.MetaData()

classes = sa.Table(
    "classes", METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(8), nullable=False, unique=True),
    sa.Column("teacher_key_hash", sa.String(64), nullable=False),
    sa.Column("title", sa.String(80), nullable=False),
    sa.Column("lessons", sa.JSON, nullable=False),          # lesson ids, in order
    sa.Column("settings", sa.JSON, nullable=False),         # page settings, hidden and locked controls
    sa.Column("lesson_file", sa.Text, nullable=True),       # a teacher's own lesson (TOML), validated
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
)

learners = sa.Table(
    "learners", METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("class_id", sa.Integer, sa.ForeignKey("classes.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("nickname", sa.String(24), nullable=False),
    sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
)

answers = sa.Table(
    "answers", METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("class_id", sa.Integer, sa.ForeignKey("classes.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("learner_id", sa.Integer, sa.ForeignKey("learners.id", ondelete="CASCADE"), nullable=False),
    sa.Column("lesson_id", sa.String(40), nullable=False),
    sa.Column("task_id", sa.String(40), nullable=False),
    sa.Column("kind", sa.String(12), nullable=False),          # prediction, done, skipped, hint
    sa.Column("choice", sa.Integer, nullable=True),
    sa.Column("number", sa.Float, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    # One answer of each kind per learner and task: a double click or a resubmission after
    # a reconnect is the same answer, stored once.
    sa.UniqueConstraint("learner_id", "lesson_id", "task_id", "kind", name="uq_answer_once"),
)

reveals = sa.Table(
    "reveals", METADATA,
    sa.Column("class_id", sa.Integer, sa.ForeignKey("classes.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("lesson_id", sa.String(40), primary_key=True),
    sa.Column("task_id", sa.String(40), primary_key=True),
)
