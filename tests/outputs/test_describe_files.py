"""Labels of extractor codes (outputs.describe) and atomic writes (outputs.files)."""

from __future__ import annotations

import os

import pytest

from ketamine_tracker.errors import TrackerError
from ketamine_tracker.outputs.describe import labels, load_labels
from ketamine_tracker.outputs.files import output_dir, write_atomic


def test_the_shipped_labels_name_the_randomised_trial():
    assert labels().design("rct") == "Randomised controlled trial"


def test_a_code_nobody_labelled_is_shown_with_spaces():
    assert labels().design("n_of_1_trial") == "n of 1 trial"


def test_a_labels_file_with_an_unknown_key_is_refused():
    with pytest.raises(ValueError, match="unknown key"):
        load_labels('{"designs": {}, "directions": {}, "forms": {}, "routes": {}}')


def test_a_labels_file_with_an_empty_label_is_refused():
    with pytest.raises(ValueError, match="designs.rct"):
        load_labels('{"designs": {"rct": ""}, "directions": {}, "forms": {}}')


def test_write_atomic_leaves_a_file_with_the_same_content_alone(tmp_path):
    path = tmp_path / "a.atom"
    write_atomic(path, b"x")
    os.utime(path, (0, 0))
    assert (write_atomic(path, b"x"), path.stat().st_mtime) == (False, 0)


def test_write_atomic_replaces_a_changed_file_readable_by_a_web_server(tmp_path):
    path = tmp_path / "a.atom"
    write_atomic(path, b"x")
    write_atomic(path, b"y")
    assert (path.read_bytes(), path.stat().st_mode & 0o777) == (b"y", 0o644)


def test_write_atomic_leaves_no_temporary_file(tmp_path):
    write_atomic(tmp_path / "a.atom", b"x")
    assert [p.name for p in tmp_path.iterdir()] == ["a.atom"]


def test_an_output_directory_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "f").write_text("")
    with pytest.raises(TrackerError, match="cannot create output directory"):
        output_dir(tmp_path / "f")
