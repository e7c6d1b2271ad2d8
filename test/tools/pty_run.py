#!/usr/bin/env python3
"""pty_run.py SECONDS [PATTERN ANSWER]... -- CMD...: runs CMD on a new
pseudo-terminal (its standard input, output and error), as from a terminal
(test tool).  Each time the output so far matches the next PATTERN (a
Python regular expression), types ANSWER and a newline.  Prints everything
CMD wrote, then exits with CMD's exit status, or 124 (killed) when it has
not ended after SECONDS: a program that waits for an answer nobody gives."""
import os
import pty
import re
import select
import signal
import sys
import time


def main():
    args = sys.argv[1:]
    limit = float(args.pop(0))
    sep = args.index("--")
    pairs, cmd = args[:sep], args[sep + 1:]
    answers = [(re.compile(pairs[i]), pairs[i + 1]) for i in range(0, len(pairs), 2)]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    out, seen, end = b"", 0, time.monotonic() + limit
    while True:
        left = end - time.monotonic()
        if left <= 0:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            sys.stdout.write(out.decode(errors="replace"))
            sys.exit(124)
        r, _, _ = select.select([fd], [], [], left)
        if not r:
            continue
        try:
            data = os.read(fd, 4096)
        except OSError:
            data = b""
        if not data:
            break
        out += data
        if answers and answers[0][0].search(out[seen:].decode(errors="replace")):
            seen = len(out)
            os.write(fd, (answers.pop(0)[1] + "\n").encode())
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(out.decode(errors="replace"))
    sys.exit(os.waitstatus_to_exitcode(status))


if __name__ == "__main__":
    main()
