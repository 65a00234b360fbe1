"""Alembic environment: the engine is handed over by blangko.adapters.db.migrate.

On SQLite, changing a column copies the table and drops the old one (batch mode); with
foreign keys enforced the drop fails wherever other rows refer to that table. As SQLite's
documentation prescribes for altering a table, foreign keys are switched off while the
migrations run (a pragma that only works outside a transaction), then every reference is
checked before the commit, and enforcement is switched back on.
"""

from alembic import context

from blangko.adapters.all_tables import metadata

engine = context.config.attributes["engine"]

with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
    try:
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"a migration broke foreign keys: {broken[:5]}")
        connection.commit()
    finally:
        if sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
