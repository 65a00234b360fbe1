"""Alembic environment: the engine is handed over by blangko.adapters.db.migrate."""

from alembic import context

from blangko.adapters.all_tables import metadata

engine = context.config.attributes["engine"]

with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
