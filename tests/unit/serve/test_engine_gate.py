"""Gates sharing one engine: the window's jobs and the local API's requests take turns, and
stopping the API neither turns the window away nor waits for it."""

from __future__ import annotations

import threading

import pytest

from app.serve.engine_gate import EngineBusy, EngineGate, GateClosed, TurnGivenUp
from app.tasks.gated_job import ENGINE_BUSY, GatedJob
from app.tasks.job import CallJob, Done, Outcome, finish


def test_sharing_gates_let_one_holder_through_at_a_time() -> None:
    window = EngineGate(wait_seconds=None)
    api = window.sharing(wait_seconds=0.05)
    with window.turn():
        assert window.busy
        assert window.taken
        assert api.taken
        assert not api.busy
        with pytest.raises(EngineBusy), api.turn():
            pass
    with api.turn():
        assert api.busy
        assert window.taken
        assert not window.busy
    assert not window.taken


def test_closing_a_sharing_gate_leaves_the_others_open() -> None:
    window = EngineGate(wait_seconds=None)
    api = window.sharing()
    api.close()
    with pytest.raises(GateClosed), api.turn():
        pass
    with window.turn():  # the window's jobs go on
        assert api.wait_idle(0)  # the API's own requests are all that closing waits for
        ran: list[str] = []
        api.if_holding(lambda: ran.append("cancel"))
        assert ran == []  # never the window's turn that is cancelled
    with window.sharing().turn():  # a new server gets an open gate of its own
        assert window.taken


def test_a_waiting_turn_gives_up_when_woken() -> None:
    window = EngineGate(wait_seconds=None)
    api = window.sharing()
    stop = threading.Event()
    outcome: list[str] = []

    def wait_for_turn() -> None:
        try:
            with window.turn(given_up=stop.is_set):
                outcome.append("ran")
        except TurnGivenUp:
            outcome.append("gave up")

    with api.turn():  # another app's request holds the engine
        waiting = threading.Thread(target=wait_for_turn)
        waiting.start()
        waiting.join(timeout=0.2)
        assert outcome == []
        stop.set()
        window.wake()
        waiting.join(timeout=10)
    assert outcome == ["gave up"]


def test_a_gated_job_waits_for_its_turn_then_runs() -> None:
    window = EngineGate(wait_seconds=None)
    api = window.sharing()
    waits: list[bool] = []
    job = GatedJob(CallJob(lambda _job: "answer"), window, on_wait=waits.append)
    results: list[Done] = []
    with api.turn():
        runner = threading.Thread(target=lambda: results.append(finish(job)))
        runner.start()
        runner.join(timeout=0.2)
        assert results == []
        assert waits == [True]
    runner.join(timeout=10)
    (done,) = results
    assert done.outcome is Outcome.COMPLETED
    assert done.result == "answer"
    assert waits == [True, False]


def test_a_gated_job_cancelled_while_waiting_never_runs() -> None:
    window = EngineGate(wait_seconds=None)
    api = window.sharing()
    ran: list[str] = []
    job = GatedJob(CallJob(lambda _job: ran.append("ran")), window)
    results: list[Done] = []
    with api.turn():
        runner = threading.Thread(target=lambda: results.append(finish(job)))
        runner.start()
        runner.join(timeout=0.2)
        job.cancel()
        runner.join(timeout=10)
        assert api.busy  # the other app's turn is untouched
    (done,) = results
    assert done.outcome is Outcome.CANCELLED
    assert ran == []


def test_a_question_that_must_not_wait_fails_at_once_when_the_engine_is_taken() -> None:
    window = EngineGate(wait_seconds=None)
    with window.sharing().turn():
        done = finish(GatedJob(CallJob(lambda _job: 1), window, wait=False))
    assert done.outcome is Outcome.FAILED
    assert done.message == ENGINE_BUSY
    assert finish(GatedJob(CallJob(lambda _job: 1), window, wait=False)).result == 1
