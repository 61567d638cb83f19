"""The progress display of long work: `keras_colorize.progress` on stderr, plain text in a log."""

import io

from keras_colorize import cli
from keras_colorize.progress import progress_bar


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_log_gets_plain_lines(monkeypatch):
    log = io.StringIO()
    monkeypatch.setattr("sys.stderr", log)
    progress = cli.progress(40, "colorize")
    for _ in range(40):
        progress.advance()
    text = log.getvalue()
    assert "\x1b" not in text  # no color codes in a log file
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines[0] == "colorize: 40 photo(s)"
    assert len(lines) == 21  # the label, then a line every 5 %
    # Without colors the bar's part still to do is dots.
    assert lines[1].startswith(" 2/40 ━.") and lines[-1].startswith("40/40 ━") and "." not in lines[-1][:27]


def test_a_terminal_keeps_the_keras_bar(monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    progress = cli.progress(3, "evaluate")
    for _ in range(3):
        progress.advance()
    assert "\x1b[1m3/3\x1b[0m" in terminal.getvalue() and "\r" in terminal.getvalue()


def test_an_unknown_total_counts_and_ends_with_finish():
    log = io.StringIO()
    bar = progress_bar(None, unit="frame", stream=log)
    for _ in range(250):
        bar.advance()
    assert bar.done == 250 and bar.total is None
    counts = [line.split()[0] for line in log.getvalue().splitlines() if line.strip()]
    assert counts == ["100/Unknown", "200/Unknown"]  # a line every 100 in a log
    bar.finish()
    last = log.getvalue().splitlines()[-1].split()
    assert last[0] == "250/Unknown" and last[-1].endswith("/frame")
