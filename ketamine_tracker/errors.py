"""Exit codes and the errors that map to them."""

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


class LockedError(TrackerError):
    """Another run is in progress."""

    exit_code = EXIT_LOCKED
