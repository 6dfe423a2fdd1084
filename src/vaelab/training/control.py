"""Commands to a running :class:`~vaelab.training.trainer.Trainer`, from any thread.

The trainer asks :meth:`TrainingControl.wait_to_step` before each optimisation step. Stopping,
pausing and stepping therefore always fall between two steps: nothing is half done, the weights
and the generators are exactly those of an uninterrupted run at that step, and a stopped run can
be continued later.
"""

from __future__ import annotations

import threading

#: Longest single wait of a paused trainer, in seconds; it then checks again, so that a signal
#: handler (Ctrl-C) that stops it is never left waiting behind a blocked lock.
_WAIT_SLICE = 0.25


class TrainingControl:
    """Thread-safe commands to a running Trainer: stop, pause, resume, step(n).

    One control may serve several trainings in turn (a comparison's rows). A stop is final: it
    ends the current training and makes every later one return at once; continue the run with a
    new control.
    """

    def __init__(self) -> None:
        # Reentrant, so that a signal handler running on the trainer's thread while it holds the
        # lock (between two bytecodes of wait_to_step) can still stop it.
        self._changed = threading.Condition(threading.RLock())
        self._stopped = False
        self._paused = False
        self._budget = 0

    def stop(self) -> None:
        """Stop before the next step (also wakes a paused trainer)."""
        with self._changed:
            self._stopped = True
            self._changed.notify_all()

    def pause(self) -> None:
        """Hold between two steps; nothing is lost."""
        with self._changed:
            self._paused = True
            self._budget = 0
            self._changed.notify_all()

    def resume(self) -> None:
        """Run freely again after :meth:`pause` or :meth:`step`."""
        with self._changed:
            self._paused = False
            self._budget = 0
            self._changed.notify_all()

    def step(self, n: int = 1) -> None:
        """While paused, run ``n`` more steps, then hold again (pauses a running trainer first).

        Raises
        ------
        ValueError
            If ``n`` is not a whole number of at least 1.
        """
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"step needs a whole number of steps of at least 1, got {n!r:.40}")
        with self._changed:
            self._paused = True
            self._budget += n
            self._changed.notify_all()

    @property
    def stopped(self) -> bool:
        """Whether :meth:`stop` was called."""
        return self._stopped

    @property
    def paused(self) -> bool:
        """Whether the trainer holds (or will hold once its step budget is spent)."""
        return self._paused

    @property
    def steps_left(self) -> int:
        """Steps a paused trainer still runs before holding again (from :meth:`step`)."""
        return self._budget

    def wait_to_step(self) -> bool:
        """Called by the trainer before each step: block while paused with no step budget.

        Returns
        -------
        bool
            ``True`` to take one step, ``False`` once stopped.
        """
        with self._changed:
            while self._paused and self._budget == 0 and not self._stopped:
                self._changed.wait(_WAIT_SLICE)
            if self._stopped:
                return False
            if self._paused:
                self._budget -= 1
            return True
