"""``ketamine-tracker dashboard``: serve the Streamlit evidence map.

Runs ``streamlit run dashboard/app.py`` as a child process with the configured
``DATABASE_URL`` in its environment (the dashboard reads it through
:func:`db.config.database_url_from_env`), headless, without usage statistics
and with error details hidden from the browser (``client.showErrorDetails``
``none``: an uncaught exception shows a generic message; the type, message and
traceback go to the console only). The dashboard opens the database read-only.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
from pathlib import Path

from db.engine import DatabaseConfigError, normalise_url, redact

from ..errors import UsageError


def app_path() -> Path:
    """Location of ``dashboard/app.py`` (source checkout or installed package)."""
    spec = importlib.util.find_spec("dashboard.app")
    if spec is not None and spec.origin:
        return Path(spec.origin)
    return Path(__file__).resolve().parents[2] / "dashboard" / "app.py"


def streamlit_command(port: int, address: str) -> list[str]:
    """The ``streamlit run`` command line (headless, no telemetry, no file watcher, no error details in the browser).

    Parameters
    ----------
    port:
        TCP port to listen on.
    address:
        Address to listen on.

    Returns
    -------
    list[str]
        The argument vector, starting with this Python interpreter.
    """
    return [
        sys.executable, "-m", "streamlit", "run", str(app_path()),
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", address,
        "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
        "--client.toolbarMode", "viewer",
        # "none", not the deprecated false (which still shows the traceback)
        "--client.showErrorDetails", "none",
    ]


def register(sub) -> None:
    p = sub.add_parser(
        "dashboard",
        help="serve the Streamlit dashboard on the configured database (read-only)",
        description="Serve the evidence dashboard (Streamlit). Stop it with Ctrl-C.",
    )
    p.add_argument("--port", type=int, default=8501, help="TCP port (default 8501)")
    p.add_argument("--address", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1; use 0.0.0.0 to serve other machines)")
    p.set_defaults(func=run)


def run(args, settings) -> int:
    if not 0 < args.port < 65536:
        raise UsageError(f"--port {args.port} is not a TCP port (1-65535)")
    try:
        url = normalise_url(settings.database_url)
    except DatabaseConfigError as exc:
        raise UsageError(str(exc)) from exc
    env = dict(os.environ, DATABASE_URL=url, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    print(f"ketamine-tracker dashboard: http://{args.address}:{args.port}/ on {redact(url)} (Ctrl-C to stop)", flush=True)
    proc = subprocess.Popen(streamlit_command(args.port, args.address), env=env)

    def _forward(signum, _frame):
        proc.send_signal(signum)

    previous = signal.signal(signal.SIGTERM, _forward)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)
