"""Download events as JSON lines and as text for people (app/catalog/download_events.py)."""

from __future__ import annotations

import json

import pytest

from app.catalog.download_control import DownloadProgress
from app.catalog.download_events import (
    DownloadMessage,
    decode_event,
    describe_progress,
    download_label,
    encode_event,
)

DOWNLOADING = DownloadProgress("downloading", 2_100_000, 5_000_000, 1_000_000.0, 2.9, 1, "")


@pytest.mark.parametrize(
    "event",
    [
        DOWNLOADING,
        DownloadProgress("checking", 0, None, 0.0, None, 1, "Asking the model hub about the file"),
        DownloadProgress("retrying", 10, 20, 0.0, None, 3, "No data arrived for 30 s. Trying…"),
        DownloadMessage("notice", "Llama is released under the Llama 3.2 Community License"),
        DownloadMessage("paused", "The download of x.gguf is paused at 42%."),
        DownloadMessage("failed", 'The model hub has no repository named "a/b".\nSecond line'),
    ],
)
def test_every_event_survives_one_line_of_json(event: DownloadProgress | DownloadMessage) -> None:
    line = encode_event(event)
    assert "\n" not in line
    assert line.isascii()  # any console encoding can carry it
    assert decode_event(line) == event


def test_the_progress_line_has_the_documented_fields() -> None:
    fields = json.loads(encode_event(DOWNLOADING))
    assert fields == {
        "event": "progress",
        "state": "downloading",
        "downloaded": 2_100_000,
        "total": 5_000_000,
        "rate": 1_000_000.0,
        "eta_s": 2.9,
        "attempt": 1,
        "message": "",
    }
    unmeasured = json.loads(encode_event(DownloadProgress("downloading", 0, 9, 0.0, None, 1)))
    assert (unmeasured["rate"], unmeasured["eta_s"]) == (None, None)
    assert json.loads(encode_event(DownloadMessage("failed", "No."))) == {
        "event": "failed",
        "message": "No.",
    }


@pytest.mark.parametrize(
    "line",
    [
        "",
        "hearth: an unexpected error stopped Hearth (KeyError: 'x').",
        "[1, 2]",
        '{"event": "finished"}',
        '{"event": "failed"}',
        '{"event": "progress", "state": "sleeping", "downloaded": 1, "total": 2}',
        '{"event": "progress", "state": "downloading", "downloaded": "1", "total": 2}',
        '{"event": "progress", "state": "downloading", "downloaded": true, "total": 2}',
        '{"event": "progress", "state": "downloading", "downloaded": 1, "total": 2, "rate": "x"}',
    ],
)
def test_anything_else_is_not_an_event(line: str) -> None:
    assert decode_event(line) is None


def test_people_read_percent_size_rate_and_time_left() -> None:
    label = download_label("Qwen2.5 0.5B Instruct")
    assert describe_progress(label, DOWNLOADING) == (
        "Downloading Qwen2.5 0.5B Instruct: 42% (2.1 MB of 5 MB), at 1 MB/s, 3 s left"
    )
    slow = DownloadProgress("downloading", 1, 4, 0.0, None, 1)
    assert (
        describe_progress(label, slow)
        == "Downloading Qwen2.5 0.5B Instruct: 25% (1 bytes of 4 bytes)"
    )
    checking = DownloadProgress("verifying", 4, 4, 0.0, None, 1, "Verifying the checksum")
    assert describe_progress(label, checking) == (
        "Downloading Qwen2.5 0.5B Instruct: verifying Verifying the checksum"
    )


def test_a_decoded_line_reads_as_the_terminal_line() -> None:
    decoded = decode_event(encode_event(DOWNLOADING))
    assert isinstance(decoded, DownloadProgress)
    assert describe_progress("X", decoded) == describe_progress("X", DOWNLOADING)
