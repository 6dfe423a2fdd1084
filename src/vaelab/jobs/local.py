"""Jobs in worker processes of this machine, a few at a time, the others waiting in order.

Each job gets a fresh process (the ``spawn`` start method: no state of the web server is
inherited, and it works the same on Linux, macOS and Windows) with its share of the cores
(:func:`vaelab.training.threads.threads_for_workers`), at a lower priority than the server so
that pages stay quick while every core trains. The spec goes in and the events come out as
pickled bytes over multiprocessing queues, never as the process's arguments: those go through
the spawn pipe before ``Process.start()`` returns, and a spec that holds its
dataset (megabytes) would make the caller wait until the new Python has imported torch. The spec
is the first item of the command queue, written by the queue's own thread; the commands follow,
applied by a thread of the worker to its :class:`~vaelab.training.control.TrainingControl`.

A worker that dies without a final event (killed, out of memory) is reported as ``("lost",
message)``; the run keeps its last save. Ctrl-C in the terminal is left to the parent, and a
terminate (SIGTERM, as at the parent's exit) stops the training at its next step, saved.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import queue
import signal
import threading
from multiprocessing.context import SpawnProcess
from typing import Any

from vaelab.jobs.executor import Executor, JobHandle, workers_from_env
from vaelab.jobs.spec import FINAL, Event, JobSpec
from vaelab.jobs.worker import apply_command, lost_message, run_spec
from vaelab.training.control import TrainingControl
from vaelab.training.threads import threads_for_workers

log = logging.getLogger(__name__)

#: Niceness added to each worker: the web server answers first, the workers take the rest.
NICENESS = 5
#: Seconds to wait for the last events of a worker that has exited.
_LAST_WORDS_S = 1.0


def _obey(commands: Any, control: TrainingControl, emit: Any) -> None:
    while True:
        command, n = commands.get()
        try:
            apply_command(control, command, n)
        except ValueError:
            log.exception("bad job command")
        emit(("paused", control.paused))


def worker_main(threads: int, events: Any, commands: Any) -> None:
    """Body of a worker process: take the spec, obey commands, run it, report.

    Parameters
    ----------
    threads : int
        Intra-op threads of torch.
    events
        The multiprocessing queue the pickled events go out through.
    commands
        The multiprocessing queue that brings the pickled spec, then ``(command, n)`` pairs.
    """
    control = TrainingControl()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: control.stop())
    try:
        os.nice(NICENESS)
    except (AttributeError, OSError):  # Windows, or a sandbox that forbids it
        pass

    def emit(event: Event) -> None:
        # Plain pickles: tensors travel by value, so nothing outlives the worker in shared memory.
        events.put(pickle.dumps(event))

    spec = pickle.loads(commands.get())
    threading.Thread(target=_obey, args=(commands, control, emit), daemon=True).start()
    run_spec(spec, emit, control, threads)


class LocalHandle(JobHandle):
    """A job of a :class:`LocalExecutor`: queued, then a worker process."""

    def __init__(self, executor: LocalExecutor, spec: JobSpec) -> None:
        super().__init__(spec)
        self._executor = executor
        self._process: SpawnProcess | None = None
        self._events: Any = None
        self._commands: Any = None
        #: Commands sent while queued, handed to the worker when it starts.
        self._pending: list[tuple[str, int]] = []
        self._cancelled = False
        #: Whether the job ended and its queues were closed.
        self._closed = False
        #: Why the worker could not be started, if it could not.
        self._failure: str | None = None
        self._position: int | None = None

    @property
    def pid(self) -> int | None:
        """Process id of the worker, once started."""
        return None if self._process is None else self._process.pid

    def _launch(self, context: Any, threads: int) -> None:
        self._events, self._commands = context.Queue(), context.Queue()
        # A worker that dies before reading the spec must not hold this process at its exit.
        self._commands.cancel_join_thread()
        self._commands.put(pickle.dumps(self.spec))
        for command in self._pending:
            self._commands.put(command)
        self._process = context.Process(
            target=worker_main,
            args=(threads, self._events, self._commands),
            name=f"vaelab-{self.spec.name}",
            daemon=True,
        )
        self._process.start()

    def _drain(self, timeout: float | None = None) -> list[Event]:
        events = []
        while True:
            try:
                raw = self._events.get(timeout=timeout) if timeout else self._events.get_nowait()
            except queue.Empty:
                return events
            events.append(pickle.loads(raw))

    def _poll(self) -> list[Event]:
        with self._executor.lock:
            if self._cancelled:
                return [("cancelled", None)]
            if self._failure is not None:
                return [("error", self._failure)]
            if self._process is None:
                position = self._executor.position(self)
                if position == self._position:
                    return []
                self._position = position
                return [("queued", position)]
        events = self._drain()
        exit_code = self._process.exitcode
        ended = any(kind in FINAL for kind, _ in events)
        if not ended and exit_code is not None:
            events += self._drain(_LAST_WORDS_S)
            if not any(kind in FINAL for kind, _ in events):
                events.append(("lost", lost_message(self.spec, f"exit code {exit_code}")))
            ended = True
        if ended:
            with self._executor.lock:
                # Finished jobs stay in the registry for an hour: they keep no pipe open.
                self._closed = True
                self._events.close()
                self._commands.close()
            self._executor.release(self)
        return events

    def _send(self, command: str, n: int) -> None:
        with self._executor.lock:
            if self._process is None:
                if command == "stop":
                    self._cancelled = self._executor.withdraw(self)
                else:
                    self._pending.append((command, n))
            elif not self._closed:
                self._commands.put((command, n))


class LocalExecutor(Executor):
    """Worker processes on this machine: ``workers`` jobs at once, the others wait in order.

    Parameters
    ----------
    workers : int, optional
        Jobs that run at once (default: ``VAELAB_WORKERS``, else
        :func:`~vaelab.jobs.executor.default_workers`).
    """

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or workers_from_env()
        #: Intra-op threads of each worker: the cores shared between the workers.
        self.threads = threads_for_workers(self.workers)
        self.lock = threading.RLock()
        self._context = multiprocessing.get_context("spawn")
        self._waiting: list[LocalHandle] = []
        self._running: list[LocalHandle] = []

    def submit(self, spec: JobSpec) -> LocalHandle:
        """Queue ``spec``; it starts in a worker process as soon as one is free."""
        handle = LocalHandle(self, spec)
        with self.lock:
            self._waiting.append(handle)
            self._dispatch()
        return handle

    def position(self, handle: LocalHandle) -> int:
        """Jobs that must end before ``handle`` starts."""
        with self.lock:
            index = self._waiting.index(handle)
            return max(1, index + len(self._running) - self.workers + 1)

    def withdraw(self, handle: LocalHandle) -> bool:
        """Take a queued ``handle`` out of the line; whether it was there."""
        with self.lock:
            if handle not in self._waiting:
                return False
            self._waiting.remove(handle)
            return True

    def release(self, handle: LocalHandle) -> None:
        """Free the worker of a job that ended, and start the next one."""
        with self.lock:
            if handle in self._running:
                self._running.remove(handle)
            self._dispatch()

    def _dispatch(self) -> None:
        while self._waiting and len(self._running) < self.workers:
            handle = self._waiting.pop(0)
            try:
                handle._launch(self._context, self.threads)
            except (OSError, pickle.PicklingError, RuntimeError) as exc:
                handle._failure = f"the worker process could not start: {exc}"
                continue
            self._running.append(handle)
