#!/usr/bin/env python3
"""Many idle TCP connections for bench/vnat.sh.

  conns.py serve PORT             accept every connection, echo what arrives
  conns.py connect HOST PORT N DIR
        open N connections to HOST:PORT, then write DIR/ready; wait for
        DIR/go, send 8 bytes on every connection and wait (10 s at most) for
        their echo; print "echoed K of N" and exit 0 only when K == N.
"""
import os
import resource
import selectors
import socket
import sys
import time


def raise_nofile(n):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = max(soft, min(max(hard, n), 1 << 20))
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, max(hard, want)))
    except ValueError:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def serve(port):
    raise_nofile(40000)
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", port))
    ls.listen(4096)
    ls.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(ls, selectors.EVENT_READ)
    while True:
        for key, _ in sel.select():
            s = key.fileobj
            if s is ls:
                while True:
                    try:
                        c, _ = ls.accept()
                    except BlockingIOError:
                        break
                    c.setblocking(False)
                    sel.register(c, selectors.EVENT_READ)
                continue
            try:
                d = s.recv(4096)
            except OSError:
                d = b""
            if not d:
                sel.unregister(s)
                s.close()
            else:
                s.sendall(d)


def connect(host, port, n, d):
    raise_nofile(n + 100)
    socks = []
    for _ in range(n):
        s = socket.create_connection((host, port), timeout=10)
        socks.append(s)
    open(os.path.join(d, "ready"), "w").write("%d\n" % n)
    end = time.time() + 600
    while not os.path.exists(os.path.join(d, "go")):
        if time.time() > end:
            sys.exit("no go in 600 s")
        time.sleep(0.05)
    sel = selectors.DefaultSelector()
    for s in socks:
        s.setblocking(False)
        try:
            s.send(b"vnatping")
        except OSError:
            continue
        sel.register(s, selectors.EVENT_READ)
    got, end = 0, time.time() + 10
    left = len(sel.get_map())
    while left and time.time() < end:
        for key, _ in sel.select(timeout=0.5):
            try:
                ok = key.fileobj.recv(64) == b"vnatping"
            except OSError:
                ok = False
            got += ok
            sel.unregister(key.fileobj)
            left -= 1
    print("echoed %d of %d" % (got, n))
    sys.exit(0 if got == n else 1)


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(int(sys.argv[2]))
    else:
        connect(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
