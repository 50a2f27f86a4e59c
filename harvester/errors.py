"""Exceptions of the harvester layer.

The harvester knows nothing of exit codes: the command line
(:mod:`ketamine_tracker.errors`) maps each class to one.
"""


class HarvesterError(Exception):
    """Base class of every error the harvester raises on purpose."""


class TopicsError(HarvesterError):
    """A topics file that cannot be read or validated, or an unknown topic name (bad input, nothing written)."""


class InputRejected(HarvesterError, ValueError):
    """An input file that is malformed, hostile or over one of the bounds of :mod:`harvester.limits`.

    Nothing of the file is stored; the message is one line naming the file.
    """


class EutilsError(HarvesterError):
    """E-utilities could not answer after the bounded retries, or refused the request."""


class EutilsUnreachable(EutilsError):
    """E-utilities could not be reached at all: the network, a proxy or the URL, not NCBI.

    Parameters
    ----------
    message : str
        One line naming the URL (credentials masked) and the cause.
    cause : str
        ``"dns"``, ``"refused"``, ``"proxy"``, ``"tls"`` or ``"timeout"``.
    detail : str
        The cause in words, e.g. ``"DNS lookup of 'eutils.example' failed"``.
    """

    def __init__(self, message: str, cause: str, detail: str):
        super().__init__(message)
        self.cause = cause
        self.detail = detail
