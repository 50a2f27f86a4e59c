"""Progress reporting: a tqdm bar on a terminal, one log line per step otherwise."""

from __future__ import annotations

import logging
import sys

from tqdm import tqdm

log = logging.getLogger("ketamine_tracker")


class Progress:
    """``with Progress(total, "harvest depression", "records") as p: p.update(500)``.

    Interactive runs (stderr is a terminal) get a progress bar; cron and CI runs
    get one INFO line per ``update`` call, so logs say what happened without
    carriage-return noise.
    """

    def __init__(self, total: int | None, desc: str, unit: str = "items", *, interactive: bool | None = None):
        self.total = total
        self.desc = desc
        self.unit = unit
        self.done = 0
        self.interactive = sys.stderr.isatty() if interactive is None else interactive
        self._bar = tqdm(total=total, desc=desc, unit=f" {unit}", dynamic_ncols=True) if self.interactive else None

    def update(self, n: int = 1, **fields) -> None:
        self.done += n
        if self._bar is not None:
            self._bar.update(n)
            if fields:
                self._bar.set_postfix(fields, refresh=False)
            return
        pct = f" ({100 * self.done / self.total:.0f}%)" if self.total else ""
        extra = "".join(f" {k}={v}" for k, v in fields.items())
        of = f"/{self.total}" if self.total is not None else ""
        log.info("%s: %d%s %s%s%s", self.desc, self.done, of, self.unit, pct, extra, extra={"step": self.desc, "done": self.done, "total": self.total, **fields})

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class ProgressCallback:
    """An ``on_progress(done, total)`` callable for the layers below the CLI, shown as a :class:`Progress`.

    The bar (or log line series) starts at the first call, which gives the
    total; later calls move it to ``done``. Use it as a context manager so the
    bar is closed however the run ends::

        with ProgressCallback("extract", "articles") as on_progress:
            run_extraction(engine, on_progress=on_progress)

    Parameters
    ----------
    desc : str
        What is being counted, e.g. ``"extract"``.
    unit : str
        The unit of ``done`` and ``total``.
    interactive : bool, optional
        Force the bar on/off (default: on when stderr is a terminal).
    """

    def __init__(self, desc: str, unit: str = "items", *, interactive: bool | None = None):
        self.desc = desc
        self.unit = unit
        self.interactive = interactive
        self.progress: Progress | None = None

    def __call__(self, done: int, total: int) -> None:
        if self.progress is None:
            self.progress = Progress(total, self.desc, self.unit, interactive=self.interactive)
        step = done - self.progress.done
        if step > 0:
            self.progress.update(step)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.close()

    def __enter__(self) -> "ProgressCallback":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
