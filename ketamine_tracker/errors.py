"""Exit codes, the command line's own errors, and the exit code of every layer's errors.

The layers below the command line (``harvester``, ``db``, ``nlp``) raise their
own exceptions and know nothing of exit codes; :func:`exit_code` maps them here.
"""

from __future__ import annotations

from db.errors import DatabaseConfigError, DbError, LockedError
from harvester.errors import HarvesterError, InputRejected, TopicsError
from nlp.errors import NlpError

EXIT_OK = 0
EXIT_FAILURE = 1  # the run started and failed (network, database, ...)
EXIT_USAGE = 2  # bad arguments, configuration or input; nothing was written
EXIT_UNHEALTHY = 3  # `status`: last run failed or is too old
EXIT_LOCKED = 75  # another run holds the lock (EX_TEMPFAIL: try again later)


class TrackerError(Exception):
    """An error with a message meant for the user and an exit code."""

    exit_code = EXIT_FAILURE


class UsageError(TrackerError):
    """Bad arguments, configuration or input file."""

    exit_code = EXIT_USAGE


class HarvestFailed(TrackerError):
    """One or more topics could not be harvested (exit code 1).

    Parameters
    ----------
    message : str
        The one line reported.
    failed : int
        Topics that failed.
    total : int
        Topics attempted.
    """

    def __init__(self, message: str, failed: int, total: int):
        super().__init__(message)
        self.failed = failed
        self.total = total

    @property
    def every_topic(self) -> bool:
        """True when no topic was harvested (``update`` then skips extraction)."""
        return self.failed >= self.total


#: Layer exceptions and their exit codes; the first matching class wins, so
#: subclasses come before their layer's base class.
LAYER_EXIT_CODES: tuple[tuple[type[Exception], int], ...] = (
    (TopicsError, EXIT_USAGE),
    (InputRejected, EXIT_USAGE),
    (DatabaseConfigError, EXIT_USAGE),
    (LockedError, EXIT_LOCKED),
    (HarvesterError, EXIT_FAILURE),
    (DbError, EXIT_FAILURE),
    (NlpError, EXIT_FAILURE),
)

#: Everything the command line reports as one error line with an exit code (no traceback).
REPORTED_ERRORS: tuple[type[Exception], ...] = (TrackerError, HarvesterError, DbError, NlpError)


def exit_code(exc: BaseException) -> int:
    """The exit code of ``exc``.

    Parameters
    ----------
    exc : BaseException
        A :class:`TrackerError` or an exception of the harvester, db or nlp layer.

    Returns
    -------
    int
        The error's own ``exit_code`` for a :class:`TrackerError`, the code of
        its class in :data:`LAYER_EXIT_CODES` for a layer error, else
        :data:`EXIT_FAILURE`.
    """
    if isinstance(exc, TrackerError):
        return exc.exit_code
    for cls, code in LAYER_EXIT_CODES:
        if isinstance(exc, cls):
            return code
    return EXIT_FAILURE
