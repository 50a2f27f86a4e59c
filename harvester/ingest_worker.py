"""Parse a PubMed file into prepared batches, here or in a separate parser process.

``ketamine-tracker ingest`` parses a file, hashes and flattens its records into
rows (for PubMed XML both at once in the C parser, :mod:`harvester.fast_xml`;
for MEDLINE :func:`db.rows.prepared_items`), then writes them.
:func:`prepared_batches` yields prepared batches computed either all in the
calling process or by a child process (``python -m harvester.ingest_worker
FILE FORMAT BATCH``) that parses and prepares the next batches while the caller
writes the previous one, so two CPUs share the work.

The child sends prepared batches, not parsed records: a prepared batch is
tuples of strings and numbers, which pickle and unpickle at ~40 us per real
PubMed article, while records (dataclasses holding lists of dicts) cost ~290 us,
more than writing them. Measured on 20,000 articles, shipping prepared batches
cut the total CPU of a pipelined ingest by 40-50% and its wall time by 15-20%.

Wire format on the child's stdout: frames of an 8-byte big-endian length and a
pickle of one message: ``("batch", n, PreparedBatch)``, then ``("done",
n)``, or ``("error", kind, message, n)`` for bad input (``kind`` is
``PubmedXMLError`` or ``MedlineError``; the caller re-raises it with the same
message) or ``("crash", message, records)``. Pickle is safe here: both ends are
this program. A bounded queue filled by a reader thread is the
back-pressure: the parser runs at most a few batches ahead of the writer, so memory stays bounded.

This module imports only the parsers and :mod:`db.rows`, so the child starts in
~0.1 s instead of the ~1.5 s the application's imports take.
"""

from __future__ import annotations

import gc
import gzip
import os
import pickle
import queue
import struct
import subprocess
import sys
import tempfile
import threading
from itertools import islice
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

from db.records import ArticleRecord, DeletedCitation
from db.rows import PreparedBatch, prepared_items
from harvester.fast_xml import iter_prepared
from harvester.medline import MedlineError, iter_medline_records
from harvester.pubmed_xml import PubmedXMLError, iter_records

_FRAME = struct.Struct(">Q")
_FRAMES_AHEAD = 2  # parsed batches buffered between the processes (bounds memory)
_POLL_SECONDS = 0.2
_PARSE_ERRORS = {"PubmedXMLError": PubmedXMLError, "MedlineError": MedlineError}
_REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable  # interpreter of the parser process


class ParserProcessError(RuntimeError):
    """The parser process died or failed for a reason other than bad input."""


def iter_file_records(path: Path, fmt: str) -> Iterator[ArticleRecord | DeletedCitation]:
    """Records of a PubMed XML (``fmt="xml"``) or MEDLINE (``"medline"``) file, gzip or not."""
    if fmt == "xml":
        yield from iter_records(path)
        return
    with open(path, "rb") as fh:
        gz = fh.read(2) == b"\x1f\x8b"
    if gz:
        with gzip.open(path, "rt", encoding="utf-8-sig") as stream:
            yield from iter_medline_records(stream)
    else:
        yield from iter_medline_records(path)


def prepared_item_chunks(items: Iterable[tuple[int, tuple | None]], size: int,
                         parsed: list[int]) -> Iterator[tuple[int, PreparedBatch]]:
    """``(records, prepared batch)`` for consecutive runs of ``size`` prepared items
    (:func:`db.rows.prepared_items`, :func:`harvester.fast_xml.iter_prepared`);
    ``parsed[0]`` counts the items.

    Items are batched as they come, never collected in a list first: holding
    2,000 parsed records while parsing on slowed the parser by 20-50% (measured
    on 20,000 real PubMed articles; their memory no longer stays in cache), and
    a prepared row is a fraction of a record's size.
    """
    it = iter(items)
    while True:
        batch = PreparedBatch()
        n = 0
        for pmid, prepared in islice(it, size):
            n += 1
            parsed[0] += 1
            batch.add(pmid, prepared)
        if not n:
            return
        yield n, batch


def prepared_chunks(records: Iterable[ArticleRecord | DeletedCitation], size: int) -> Iterator[tuple[int, PreparedBatch]]:
    """``(records, prepared batch)`` for consecutive runs of ``size`` records (the last one shorter)."""
    return prepared_item_chunks(prepared_items(records), size, [0])


def prepared_here(path: Path, fmt: str, batch_size: int, parsed: list[int]) -> Iterator[tuple[int, PreparedBatch]]:
    """``(records, prepared batch)`` pairs computed in this process.

    PubMed XML goes through :func:`harvester.fast_xml.iter_prepared` (the C
    parser where it is built, the lxml parser otherwise); MEDLINE text through
    its parser and :func:`db.rows.prepared_items`. ``parsed[0]`` counts the
    records parsed so far, also when parsing fails.
    """
    if fmt == "xml":
        yield from prepared_item_chunks(iter_prepared(path), batch_size, parsed)
        return
    yield from prepared_item_chunks(prepared_items(iter_file_records(path, fmt)), batch_size, parsed)


def _read_exactly(stream: BinaryIO, n: int) -> bytes | None:
    data = stream.read(n)
    if len(data) < n:
        return None
    return data


def _read_frames(stream: BinaryIO, frames: queue.Queue, stop: threading.Event) -> None:
    """Reader thread: move frames from the child's pipe into ``frames``, then None.

    Draining the pipe as fast as the child writes (the read releases the GIL)
    lets the child parse on while the consumer is busy; without it the child
    blocks on every 64 KiB the pipe holds and the two processes take turns.
    """
    try:
        while not stop.is_set():
            head = _read_exactly(stream, _FRAME.size)
            body = _read_exactly(stream, _FRAME.unpack(head)[0]) if head else None
            if body is None:
                break
            while not stop.is_set():
                try:
                    frames.put(body, timeout=_POLL_SECONDS)
                    break
                except queue.Full:
                    continue
    except (OSError, ValueError):  # the pipe was closed: the consumer stopped
        pass
    finally:
        while not stop.is_set():
            try:
                frames.put(None, timeout=_POLL_SECONDS)
                break
            except queue.Full:
                continue


def _loads(body: bytes):
    """Unpickle a frame with the garbage collector paused.

    A prepared batch is ~80 new tuples and strings per article, none of them in
    a cycle; with the collector running, the collections their allocation
    triggers doubled the cost of unpickling (14-15 instead of ~7 us per
    synthetic article, measured).
    """
    if not gc.isenabled():
        return pickle.loads(body)
    gc.disable()
    try:
        return pickle.loads(body)
    finally:
        gc.enable()


def prepared_in_process(path: Path, fmt: str, batch_size: int, parsed: list[int]) -> Iterator[tuple[int, PreparedBatch]]:
    """``(records, prepared batch)`` pairs from a parser child process, in file order.

    Closing the generator (or an error in the consumer) kills the child.

    Raises
    ------
    PubmedXMLError, MedlineError
        Bad input, with the message in-process parsing would give.
    ParserProcessError
        The child died or crashed.
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_REPO), env.get("PYTHONPATH")) if p)
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(
            [PYTHON, "-m", "harvester.ingest_worker", str(path), fmt, str(batch_size)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errors, env=env,
        )
        frames: queue.Queue = queue.Queue(maxsize=_FRAMES_AHEAD)
        stop = threading.Event()
        reader = threading.Thread(target=_read_frames, args=(child.stdout, frames, stop),
                                  name="ingest-parser-reader", daemon=True)
        reader.start()
        try:
            while True:
                body = frames.get()
                if body is None:
                    code = child.wait()
                    errors.seek(0)
                    tail = errors.read().decode("utf-8", "replace").strip().splitlines()[-1:]
                    raise ParserProcessError(f"the parser process exited (code {code}) before the end of the file"
                                             + (f": {tail[0]}" if tail else ""))
                msg = _loads(body)
                kind = msg[0]
                if kind == "batch":
                    parsed[0] += msg[1]
                    yield msg[1], msg[2]
                elif kind == "done":
                    parsed[0] = msg[1]
                    return
                elif kind == "error":
                    parsed[0] = msg[3]
                    raise _PARSE_ERRORS[msg[1]](msg[2])
                else:
                    parsed[0] = msg[2]
                    raise ParserProcessError(f"the parser process failed: {msg[1]}")
        finally:
            stop.set()
            if child.poll() is None:
                child.kill()
            reader.join()
            child.stdout.close()
            child.wait()


def prepared_batches(path: Path, fmt: str, batch_size: int, parsed: list[int], *,
                     in_process: bool = False) -> Iterator[tuple[int, PreparedBatch]]:
    """``(records, prepared batch)`` pairs of a file; ``in_process`` selects the parser child."""
    if in_process:
        return prepared_in_process(path, fmt, batch_size, parsed)
    return prepared_here(path, fmt, batch_size, parsed)


def _send(out: BinaryIO, msg: tuple) -> None:
    body = pickle.dumps(msg, protocol=pickle.HIGHEST_PROTOCOL)
    out.write(_FRAME.pack(len(body)))
    out.write(body)
    out.flush()


def main(argv: list[str] | None = None) -> int:
    """Child entry point: ``FILE FORMAT BATCH``; frames go to stdout."""
    path, fmt, batch_size = (argv if argv is not None else sys.argv[1:])
    out = sys.stdout.buffer
    parsed = [0]
    gc.freeze()  # the imported modules never become garbage: keep them out of collections
    try:
        try:
            for n, prepared in prepared_here(Path(path), fmt, int(batch_size), parsed):
                _send(out, ("batch", n, prepared))
            _send(out, ("done", parsed[0]))
        except (PubmedXMLError, MedlineError) as exc:
            _send(out, ("error", type(exc).__name__, str(exc), parsed[0]))
        except (BrokenPipeError, KeyboardInterrupt):
            raise
        except Exception as exc:  # noqa: BLE001 - reported to the writer, which fails the file
            _send(out, ("crash", f"{type(exc).__name__}: {exc}", parsed[0]))
    except BrokenPipeError:  # the writer stopped reading (it failed or was interrupted)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
