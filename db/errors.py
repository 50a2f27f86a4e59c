"""Exceptions of the database layer.

The database layer knows nothing of exit codes: the command line
(:mod:`ketamine_tracker.errors`) maps each class to one.
"""


class DbError(Exception):
    """Base class of every error the database layer raises on purpose."""


class DatabaseConfigError(DbError, ValueError):
    """The database URL cannot be used (bad syntax, unknown backend, missing file)."""


class LockedError(DbError):
    """Another run holds the run lock of this database."""
