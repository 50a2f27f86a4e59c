"""Exceptions of the harvester layer.

The harvester knows nothing of exit codes: the command line
(:mod:`ketamine_tracker.errors`) maps each class to one.
"""


class HarvesterError(Exception):
    """Base class of every error the harvester raises on purpose."""


class TopicsError(HarvesterError):
    """A topics file that cannot be read or validated, or an unknown topic name (bad input, nothing written)."""


class EutilsError(HarvesterError):
    """E-utilities could not answer after the bounded retries, or refused the request."""
