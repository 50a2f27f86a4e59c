"""Files for readers outside the dashboard: Atom feeds and the Markdown/HTML digest.

The database is read through :mod:`db.news`; this package only renders and
writes (atomically, see :func:`ketamine_tracker.outputs.files.write_atomic`).
Publishing them is described in ``docs/feeds.md``.
"""
