#!/usr/bin/env python3
"""Speaks vnet's text protocol (doc/PROTOCOL.md) on one connection: HELLO,
then one request per line of stdin, each answered before the next is sent.
Prints each answer's first line; with --times, also how long each request
waited, and a summary line "requests=N nok=M median_ms=.. max_ms=..".

Lines of stdin are sent as they are, except:
  HANDLES N FIRST_MAC REST...   N HANDLEs whose first address counts up
                                from FIRST_MAC, followed by REST (e.g. the
                                broadcast address); the request is
                                "HANDLE <prefix> <mac> REST" where the prefix
                                is given with --handle.
  SLEEP S                       waits S seconds (a float) before the next.
Exit status: 0 when every answer began with OK, 1 otherwise."""
import argparse
import socket
import sys
import time


def mac_add(mac, n):
    v = int(mac.replace(":", ""), 16) + n
    h = "%012x" % v
    return ":".join(h[i:i + 2] for i in range(0, 12, 2))


class Conn:
    def __init__(self, host, port, timeout):
        self.s = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""

    def line(self):
        while b"\n" not in self.buf:
            d = self.s.recv(65536)
            if not d:
                raise EOFError("server closed the connection")
            self.buf += d
        ln, self.buf = self.buf.split(b"\n", 1)
        return ln.decode(errors="replace").rstrip("\r")

    def request(self, text):
        """sends text; returns the answer's lines (a list answer whole)"""
        self.s.sendall(text.encode() + b"\n")
        first = self.line()
        out = [first]
        # list answers: "OK handlers", then a count, then that many lines
        if first.startswith("OK ") and first.split()[1] in ("handlers", "stats", "devices"):
            n = int(self.line())
            out += [self.line() for _ in range(n)]
        return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("password")
    ap.add_argument("--handle", default="", help="text after HANDLE, before the MAC")
    ap.add_argument("--times", action="store_true")
    ap.add_argument("--timeout", type=float, default=60)
    a = ap.parse_args()
    c = Conn(a.host, a.port, a.timeout)
    hello = c.request("HELLO %s 1.0" % a.password)[0]
    if not hello.startswith("OK"):
        print("HELLO: " + hello)
        return 1
    reqs = []
    for ln in sys.stdin:
        ln = ln.strip()
        if not ln:
            continue
        w = ln.split()
        if w[0] == "HANDLES":
            for i in range(int(w[1])):
                reqs.append("HANDLE %s %s %s" % (a.handle, mac_add(w[2], i), " ".join(w[3:])))
        else:
            reqs.append(ln)
    times, nok = [], 0
    for r in reqs:
        if r.startswith("SLEEP "):
            time.sleep(float(r.split()[1]))
            continue
        t0 = time.monotonic()
        ans = c.request(r)
        times.append((time.monotonic() - t0) * 1000)
        if not ans[0].startswith("OK"):
            nok += 1
        print("\n".join(ans), flush=True)
    if a.times and times:
        s = sorted(times)
        print("requests=%d nok=%d median_ms=%.2f max_ms=%.2f" %
              (len(s), nok, s[len(s) // 2], s[-1]))
    return 0 if nok == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
