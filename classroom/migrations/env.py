"""Alembic environment: migrations run programmatically from classroom.store.migrate(),
which passes an open connection; there is no alembic.ini and no offline mode."""
from alembic import context

from classroom.tables import METADATA

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=METADATA, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
