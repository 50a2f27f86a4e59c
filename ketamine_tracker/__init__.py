"""Application layer: the ``ketamine-tracker`` command line and its settings."""

__version__ = "0.1.0"
