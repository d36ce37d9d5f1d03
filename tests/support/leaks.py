"""Failing any test that leaves a thread or a child process running (a pytest plugin).

A thread left behind keeps running into later tests: it writes to a closed history, emits
into deleted widgets, holds a model in memory, and the failure it causes shows up far from
its cause. So the autouse fixture `no_leftovers` notes the live threads
(`threading.enumerate()`) and child processes (psutil, recursive) before each test and,
after all of the test's own fixtures are torn down, waits up to GRACE_SECONDS for anything
new to end (a thread finishing its last line, an engine process exiting), then fails the
test naming what is still running. The check ends as soon as nothing is left: passing tests
never wait.

Threads that Qt starts and that have run Python code appear in `threading.enumerate()` as
"Dummy-N" and never leave it (Python 3.11 does not notice them end), so those are counted
as alive only while the operating system still lists their thread id. A Qt pool thread
that never called into `threading` is invisible here. It is not looked for in the operating
system's thread list instead, because Qt starts pool threads of its own (showing a
QTableWidget or a QTabWidget does), which no name tells apart from the app's.

Allowed on purpose: ALLOWED_THREADS and ALLOWED_PROCESSES (long-lived helpers, by name, each
with its reason) and KNOWN_LEAKS (tests that leak through code outside the test suite, by
test id, until that code is fixed: each entry names what leaks).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import psutil
import pytest

GRACE_SECONDS = 5.0
POLL_SECONDS = 0.02

# Threads that may outlive a test, by exact name: why each is not a leak.
ALLOWED_THREADS: dict[str, str] = {}

# Child processes that may outlive a test, by a fragment of their command line.
ALLOWED_PROCESSES: dict[str, str] = {
    # The first engine started with the "spawn" context starts multiprocessing's resource
    # tracker; it lives as long as the test session by design and ends with it.
    "multiprocessing.resource_tracker": "multiprocessing's session-long resource tracker",
}

# Tests whose leak comes from app code outside the suite, by node id (without parameters):
# what leaks, so it can be fixed there and the entry removed.
KNOWN_LEAKS: dict[str, str] = {}


@dataclass(frozen=True)
class Snapshot:
    """What was running before a test: threads by identity, processes by (pid, start)."""

    threads: frozenset[threading.Thread]
    processes: frozenset[tuple[int, float]]


def _os_thread_ids() -> set[int]:
    return {thread.id for thread in psutil.Process().threads()}


def _live_threads() -> list[threading.Thread]:
    """Live Python threads; a dummy (foreign) thread only while the OS still runs it."""
    os_ids: set[int] | None = None
    live = []
    for thread in threading.enumerate():
        if isinstance(thread, threading._DummyThread):
            os_ids = _os_thread_ids() if os_ids is None else os_ids
            if thread.native_id not in os_ids:
                continue
        live.append(thread)
    return live


def _live_children() -> list[psutil.Process]:
    """Child processes still running (an exited, unreaped one is not running)."""
    running = []
    for child in psutil.Process().children(recursive=True):
        try:
            if child.status() != psutil.STATUS_ZOMBIE:
                running.append(child)
        except psutil.NoSuchProcess:
            continue
    return running


def _key(process: psutil.Process) -> tuple[int, float]:
    return (process.pid, process.create_time())


def snapshot() -> Snapshot:
    processes = set()
    for child in _live_children():
        try:
            processes.add(_key(child))
        except psutil.NoSuchProcess:
            continue
    return Snapshot(frozenset(_live_threads()), frozenset(processes))


def _describe_process(process: psutil.Process) -> str | None:
    """'pid N: command line', or None if it is allowed or already gone."""
    try:
        command = " ".join(process.cmdline()) or process.name()
    except psutil.NoSuchProcess:
        return None
    except psutil.AccessDenied:
        command = "?"
    if any(fragment in command for fragment in ALLOWED_PROCESSES):
        return None
    return f"child process {process.pid}: {command[:200]}"


def _new_things(before: Snapshot) -> list[str]:
    found = [
        f"thread {thread.name!r} (daemon={thread.daemon})"
        for thread in _live_threads()
        if thread not in before.threads and thread.name not in ALLOWED_THREADS
    ]
    for process in _live_children():
        try:
            if _key(process) in before.processes:
                continue
        except psutil.NoSuchProcess:
            continue
        described = _describe_process(process)
        if described is not None:
            found.append(described)
    return found


def leftovers(before: Snapshot, grace: float | None = None) -> list[str]:
    """What started since `before` and is still running after up to `grace` seconds
    (GRACE_SECONDS by default) of waiting for it to end; [] as soon as nothing is left."""
    deadline = time.monotonic() + (GRACE_SECONDS if grace is None else grace)
    while True:
        found = _new_things(before)
        if not found or time.monotonic() >= deadline:
            return found
        time.sleep(POLL_SECONDS)  # polling: returns as soon as the last one ends


def _known_leak(item: pytest.Item) -> str | None:
    return KNOWN_LEAKS.get(item.nodeid) or KNOWN_LEAKS.get(item.nodeid.split("[", 1)[0])


@pytest.fixture(autouse=True)
def no_leftovers(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail the test if it leaves a thread or a child process running (see module doc)."""
    before = snapshot()
    yield
    if _known_leak(request.node) is not None:
        return
    found = leftovers(before)
    if found:
        pytest.fail(
            f"{request.node.nodeid} left running after {GRACE_SECONDS:g} s: " + "; ".join(found),
            pytrace=False,
        )
