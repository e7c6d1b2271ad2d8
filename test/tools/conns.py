#!/usr/bin/env python3
"""conns.py: many connections to a vnet server, for the namespace tests.
Every wait is bounded; nothing outlives its time limit.

conns.py hold HOST PORT N SECONDS [PASSWORD]
    opens N connections, one after the other; with PASSWORD each sends
    HELLO and must get its answer within 2 s, and opening stops at the
    first that gets none (the server holds still: out of descriptors).
    Holds them SECONDS (or until the file $CONNS_STOP exists), then prints
    "opened=N answered=N unanswered=N closed=N open=N first_open=I" (closed:
    closed by the server meanwhile; first_open: the oldest still open, -1
    if none).  "opened=N" alone goes to stderr as soon as all are open.
conns.py hello HOST PORT PASSWORD N parallel|serial
    N HELLOs with PASSWORD: all at once on N connections, or one after the
    other; prints "nok=N ok=N other=N last=S" (S: seconds to the last
    answer) and each odd answer on stderr.
conns.py trickle HOST PORT PASSWORD GAP SECONDS [line]
    HELLO, then one byte every GAP seconds (a line end never comes; with
    "line": a whole "DEVICES?" line instead; GAP 0: nothing); prints "closed=S NOK-line"
    when the server closes (S: seconds after the HELLO's OK) or "open" if
    it is still open after SECONDS."""
import os
import selectors
import socket
import sys
import time


def connect(host, port, timeout=3.0):
    s = socket.create_connection((host, port), timeout=timeout)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
    return s


def readline(s, deadline):
    buf = b""
    while not buf.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        s.settimeout(left)
        try:
            b = s.recv(1)
        except (socket.timeout, OSError):
            return None
        if not b:
            return buf.decode(errors="replace") if buf else None
        buf += b
    return buf.decode(errors="replace").rstrip("\r\n")


def is_closed(s):
    s.setblocking(False)
    try:
        return s.recv(4096, socket.MSG_PEEK) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def hold(host, port, n, seconds, password=None):
    end = time.monotonic() + seconds
    socks, answered, unanswered = [], 0, 0
    for _ in range(n):
        if time.monotonic() > end:
            break
        try:
            s = connect(host, port)
        except OSError:
            break
        socks.append(s)
        if password is not None:
            s.sendall(("HELLO %s 1.0\n" % password).encode())
            line = readline(s, time.monotonic() + 2)
            if line is None or not line.startswith("OK"):
                unanswered += 1
                break
            answered += 1
    print("opened=%d" % len(socks), file=sys.stderr, flush=True)
    stop = os.environ.get("CONNS_STOP")
    while time.monotonic() < end and not (stop and os.path.exists(stop)):
        time.sleep(0.1)
    closed = [is_closed(s) for s in socks]
    opened = [i for i, c in enumerate(closed) if not c]
    print("opened=%d answered=%d unanswered=%d closed=%d open=%d first_open=%d" % (
        len(socks), answered, unanswered, sum(closed), len(opened),
        opened[0] if opened else -1), flush=True)


def hello(host, port, password, n, mode):
    counts = {"nok": 0, "ok": 0, "other": 0}
    t0 = time.monotonic()
    last = 0.0

    def tally(line):
        if line == "NOK wrong password":
            counts["nok"] += 1
        elif line is not None and line.startswith("OK"):
            counts["ok"] += 1
        else:
            counts["other"] += 1
            print("answer: %r" % line, file=sys.stderr)

    if mode == "serial":
        for _ in range(n):
            s = connect(host, port)
            s.sendall(("HELLO %s 1.0\n" % password).encode())
            tally(readline(s, time.monotonic() + 40))
            last = time.monotonic() - t0
            s.close()
    else:
        socks = [connect(host, port) for _ in range(n)]
        for s in socks:
            s.sendall(("HELLO %s 1.0\n" % password).encode())
        for s in socks:
            tally(readline(s, t0 + 60))
            last = max(last, time.monotonic() - t0)
            s.close()
    print("nok=%d ok=%d other=%d last=%.2f" % (counts["nok"], counts["ok"], counts["other"], last))


def trickle(host, port, password, gap, seconds, whole_lines):
    s = connect(host, port)
    s.sendall(("HELLO %s 1.0\n" % password).encode())
    line = readline(s, time.monotonic() + 10)
    if line is None or not line.startswith("OK"):
        print("HELLO answered %r" % line)
        return
    t0 = time.monotonic()
    end = t0 + seconds
    got = []
    while time.monotonic() < end:
        try:
            if gap > 0:
                s.sendall(b"DEVICES?\n" if whole_lines else b"D")
        except OSError:
            break
        s.settimeout(gap or 0.5)
        try:
            b = s.recv(4096)
            if not b:
                break
            got.append(b)
            time.sleep(gap or 0.1)
        except socket.timeout:
            pass
        except OSError:
            break
    else:
        print("open")
        return
    text = b"".join(got).decode(errors="replace").splitlines()
    nok = [t for t in text if t.startswith("NOK")]
    print("closed=%.1f %s" % (time.monotonic() - t0, nok[-1] if nok else "(no NOK)"))


if __name__ == "__main__":
    a = sys.argv
    if a[1] == "hold":
        hold(a[2], int(a[3]), int(a[4]), float(a[5]), a[6] if len(a) > 6 else None)
    elif a[1] == "hello":
        hello(a[2], int(a[3]), a[4], int(a[5]), a[6])
    elif a[1] == "trickle":
        trickle(a[2], int(a[3]), a[4], float(a[5]), float(a[6]), len(a) > 7 and a[7] == "line")
    else:
        sys.exit(__doc__)
