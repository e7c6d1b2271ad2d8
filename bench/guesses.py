#!/usr/bin/env python3
"""guesses.py: password guessing from one address, for bench/abuse.sh.

guesses.py HOST PORT PASSWORD SECONDS MAX
    HELLOs with PASSWORD, one after the other, each on a new connection,
    until SECONDS have passed or MAX were answered; each answer is awaited
    at most 5 s.  Prints "n=N nok=N other=N secs=S last10=S": answers in
    all, "NOK wrong password" among them, anything else (no answer, a
    refused connection), seconds from the start to the last answer, and
    seconds the last 10 answers took (the rate once a penalty stops
    growing).  Every loop is bounded in time."""
import socket
import sys
import time


def one(host, port, password):
    """one HELLO on a new connection: its answer line, or None"""
    try:
        s = socket.create_connection((host, port), timeout=3)
    except OSError:
        return None
    try:
        s.sendall(("HELLO %s 1.0\n" % password).encode())
        buf, end = b"", time.monotonic() + 5
        while not buf.endswith(b"\n") and time.monotonic() < end:
            s.settimeout(max(0.01, end - time.monotonic()))
            b = s.recv(256)
            if not b:
                break
            buf += b
        return buf.decode(errors="replace").strip() or None
    except OSError:
        return None
    finally:
        s.close()


def main(host, port, password, seconds, most):
    t0 = time.monotonic()
    times, nok, other = [], 0, 0
    while len(times) < most and time.monotonic() - t0 < seconds:
        line = one(host, port, password)
        times.append(time.monotonic() - t0)
        if line == "NOK wrong password":
            nok += 1
        else:
            other += 1
    last = times[-1] if times else 0.0
    last10 = times[-1] - times[-11] if len(times) > 10 else 0.0
    print("n=%d nok=%d other=%d secs=%.2f last10=%.2f" % (len(times), nok, other, last, last10))


if __name__ == "__main__":
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4]), int(sys.argv[5]))
