"""The classroom: classes a teacher opens, learners who join, and the answers they give.

Storage sits behind :mod:`classroom.store` (SQLAlchemy 2; SQLite by default, PostgreSQL
for several app processes); its schema is created and migrated at start-up by the
versioned Alembic migrations in ``classroom/migrations``."""
