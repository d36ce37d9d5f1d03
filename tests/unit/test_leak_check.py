"""The leftover check (tests/support/leaks.py) catches what a test leaves running."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest

from tests.support import leaks


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """Set at the end of the test: the deliberately leaked threads then end."""
    event = threading.Event()
    yield event
    event.set()


def test_a_leaked_thread_fails_the_test_that_leaked_it(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, release: threading.Event
) -> None:
    monkeypatch.setattr(leaks, "GRACE_SECONDS", 0.3)

    class Handoff:
        """Gives the inner tests this test's event (the inner session runs in this process)."""

        @pytest.fixture(name="release")
        def release_fixture(self) -> threading.Event:
            return release

    pytester.makeconftest('pytest_plugins = ["tests.support.leaks"]')
    pytester.makepyfile(
        """
        import threading

        def test_leaks_a_thread(release):
            threading.Thread(target=release.wait, name="deliberately-leaked").start()

        def test_joins_its_thread(release):
            worker = threading.Thread(target=lambda: None, name="tidy")
            worker.start()
            worker.join()
        """
    )

    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", plugins=[Handoff()])

    release.set()
    for thread in threading.enumerate():
        if thread.name == "deliberately-leaked":
            thread.join()
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        ["*ERROR at teardown of test_leaks_a_thread*", "*left running*'deliberately-leaked'*"]
    )
    assert "tidy" not in result.stdout.str()


def test_a_leaked_child_process_is_named_until_it_ends() -> None:
    before = leaks.snapshot()
    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=-1)
    try:
        [found] = leaks.leftovers(before, grace=0.2)
        assert found.startswith(f"child process {child.pid}: ")
        assert "sys.stdin.read()" in found
    finally:
        child.communicate(b"")  # end of input: it exits
    assert leaks.leftovers(before) == []


def test_a_thread_that_ends_within_the_grace_period_is_not_a_leak(
    release: threading.Event,
) -> None:
    before = leaks.snapshot()
    finishing = threading.Thread(target=release.wait, name="finishing")
    finishing.start()
    assert leaks.leftovers(before, grace=0.1) == ["thread 'finishing' (daemon=False)"]
    threading.Timer(0.2, release.set).start()  # ends while the check is already waiting
    assert leaks.leftovers(before) == []


def test_allowed_names_are_not_reported(
    monkeypatch: pytest.MonkeyPatch, release: threading.Event
) -> None:
    monkeypatch.setitem(leaks.ALLOWED_THREADS, "long-lived helper", "a test of the allow-list")
    before = leaks.snapshot()
    helper = threading.Thread(target=release.wait, name="long-lived helper")
    helper.start()
    try:
        assert leaks.leftovers(before, grace=0) == []
    finally:
        release.set()
        helper.join()
