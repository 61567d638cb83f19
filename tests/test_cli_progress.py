"""The command line's progress display: `keras_colorize.progress` on stderr, plain text in a log."""

import io

from keras_colorize import cli


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
