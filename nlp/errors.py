"""Exceptions of the NLP layer.

The NLP layer knows nothing of exit codes: the command line
(:mod:`ketamine_tracker.errors`) maps each class to one.
"""


class NlpError(Exception):
    """Base class of every error the NLP layer raises on purpose."""


class ExtractionWorkersError(NlpError):
    """The extraction worker processes stopped (died or could not start) before the run finished."""


class RuleFileError(NlpError, ValueError):
    """A rule file does not fit its rule class (unknown, missing or mistyped key)."""
