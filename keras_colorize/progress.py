"""One progress display for long work (folders of photos, video frames): `keras.utils.Progbar`.

`progress_bar(total)` gives an object with `advance(count=1)`. On a terminal
(or a notebook) the bar is redrawn in place with the count, the ETA and the
time per item, as Keras' `fit` shows it; in a log file (a stream that is not
a terminal) a plain line (no color codes) is printed every 5 % (every 100
items when the total is unknown) and at the end, not one per item.
"""

import contextlib
import re
import sys

import keras

# The color and bold codes Progbar writes (a log file would get them as garbage),
# and the part of its bar still to do, which only its gray color tells apart.
_ANSI_CODE = re.compile(r"\x1b\[[0-9;]*m")
_TO_DO = re.compile(r"\x1b\[37m(━*)")
# With no total (a video whose frame count is unknown), a log gets a line every this many items.
_UNKNOWN_TOTAL_STEP = 100


class _Plain:
    """A text stream to `stream` without ANSI codes; the bar's part to do is dots."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text):
        text = _TO_DO.sub(lambda match: "." * len(match.group(1)), text)
        return self._stream.write(_ANSI_CODE.sub("", text))

    def __getattr__(self, name):  # flush, encoding, ...
        return getattr(self._stream, name)


class Progress:
    """A `keras.utils.Progbar` over `total` items; see `progress_bar`."""

    def __init__(self, total, unit="photo", verbose=1, stream=None):
        self.total = None if total is None else int(total)
        self.done = 0
        self.verbose = verbose
        self._stream = stream
        self._every = _UNKNOWN_TOTAL_STEP if self.total is None else max(1, self.total // 20)
        self._next = self._every
        self._bar = None
        if verbose:
            self.tty = self._interactive()
            with self._redirect():
                # In a log, the 5 % steps are the only throttle (no 0.05 s interval).
                self._bar = keras.utils.Progbar(
                    self.total, verbose=verbose, interval=0.05 if self.tty else 0.0, unit_name=unit
                )
                # Progbar treats any POSIX stream as a terminal; a log gets lines.
                self._bar._dynamic_display = self.tty

    def _stream_now(self):
        return self._stream if self._stream is not None else sys.stdout

    def _redirect(self):
        stream = self._stream_now()
        if not self.tty:
            return contextlib.redirect_stdout(_Plain(stream))
        if stream is sys.stdout:
            return contextlib.nullcontext()
        return contextlib.redirect_stdout(stream)

    def _interactive(self):
        stream = self._stream_now()
        return bool(getattr(stream, "isatty", lambda: False)()) or "ipykernel" in sys.modules

    def advance(self, count=1):
        """Marks `count` more items done and redraws (throttled in a log)."""
        self.done = self.done + count if self.total is None else min(self.total, self.done + count)
        finished = self.total is not None and self.done >= self.total
        if self._bar is None or (not self.tty and not finished and self.done < self._next):
            return
        while self._next <= self.done:
            self._next += self._every
        self._draw(finished)

    def finish(self):
        """Draws the last line now (for a `total` of None, or work that ended early)."""
        if self._bar is not None and not (self.total is not None and self.done >= self.total):
            self._draw(True)

    def _draw(self, finalize):
        with self._redirect():
            self._bar.update(self.done, finalize=finalize)


def progress_bar(total, unit="photo", verbose=1, stream=None):
    """A progress bar for `total` items of long work, on `keras.utils.Progbar`.

    Args:
        total: the number of items (photos, frames), or None when unknown
            (a count without ETA; call `finish()` at the end).
        unit: what one item is called, for the time per item ("photo").
        verbose: 0 (silent), 1 (a bar: redrawn in place on a terminal, a
            line every 5 % in a log) or 2 (one line at the end), as Keras'
            `verbose`.
        stream: where it is written; None is `sys.stdout` (as Keras'
            progress bars). The command line passes `sys.stderr`, so that
            its results on stdout (`evaluate --json`) stay clean.

    Returns:
        A `Progress`: call `advance(count=1)` as items finish (`finish()`
        after the last when `total` is None); `done` and `total` count them.

    Example:

    >>> progress = progress_bar(3, verbose=0)
    >>> for photo in range(3):
    ...     progress.advance()
    >>> progress.done
    3
    """
    if verbose not in (0, 1, 2):
        raise ValueError(f"`verbose` must be 0, 1 or 2. Received: verbose={verbose!r}")
    return Progress(total, unit=unit, verbose=verbose, stream=stream)
