"""`ketamine-tracker dashboard`: the command line it builds and its argument checks."""

from __future__ import annotations

from ketamine_tracker.cli import main
from ketamine_tracker.commands.dashboard import app_path, streamlit_command


def test_streamlit_command_is_headless_without_telemetry():
    cmd = streamlit_command(8600, "127.0.0.1")
    assert cmd[1:4] == ["-m", "streamlit", "run"]
    pairs = dict(zip(cmd[5::2], cmd[6::2]))
    assert pairs["--server.headless"] == "true"
    assert pairs["--browser.gatherUsageStats"] == "false"
    assert (pairs["--server.port"], pairs["--server.address"]) == ("8600", "127.0.0.1")


def test_app_path_is_the_streamlit_entry_point():
    assert app_path().name == "app.py" and app_path().parent.name == "dashboard"


def test_bad_port_is_a_usage_error(capsys):
    assert main(["dashboard", "--port", "70000"]) == 2
    assert "not a TCP port" in capsys.readouterr().err


def test_bad_database_url_is_a_usage_error(capsys):
    assert main(["--database-url", "mysql://x@y/z", "dashboard"]) == 2
    assert "only sqlite and postgresql" in capsys.readouterr().err


def test_streamlit_command_hides_error_details_from_the_browser():
    cmd = streamlit_command(8600, "127.0.0.1")
    pairs = dict(zip(cmd[5::2], cmd[6::2]))
    assert pairs["--client.showErrorDetails"] == "none"
