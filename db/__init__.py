"""Database layer: models, engines, migrations, writes and read queries.

Everything that touches the database goes through this package: the
harvester and NLP write through :mod:`db.store` / :mod:`db.extractions`, the
dashboard reads through :mod:`db.queries`.
"""
