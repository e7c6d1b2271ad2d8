#!/usr/bin/env python3
"""vcmp_flood.py: a VCMP abuser for the namespace tests (test tool).

vcmp_flood.py trickle HOST PORT SRCS N SECONDS [reconnect]
    N connections from each source address of SRCS (comma-separated) to
    HOST:PORT, each sending one byte a second of a well-formed one-entry
    VNAT_UPD (28 bytes: it would take 28 s to complete).  With "reconnect" a
    connection the server closes is opened again at once, so that every
    session is held for SECONDS.  Prints "opened K" once the first K are
    connected, then per connection the server closed "closed SECONDS-OPEN",
    and at the end "opened=A server_closed=B".
vcmp_flood.py exchange HOST PORT MSGS [hold]
    One exchange of MSGS keyless VNAT_UPD messages of 1024 IPv4 entries
    (MORE on all but the last; with "hold" on the last too, so that the
    server holds them all unvalidated), then reads until the server closes
    or 10 s pass.  Prints "sent=S answered=BYTES closed=yes|no".
Every loop is bounded in time."""
import errno
import selectors
import socket
import struct
import sys
import time


def upd(count, more):
    """a version-2 VNAT_UPD of count IPv4 TCP entries nobody has"""
    ents = b""
    for i in range(count):
        ents += struct.pack("!BBHHH", 6, 0, 9, 10000 + i % 50000, 10000 + i % 50000)
        ents += bytes([198, 18, 99, 1, 198, 18, 99, 2, 198, 18, 99, 3])
    length = 8 + len(ents)
    return struct.pack("!BBBBHH", 2, 1, 4, 1 if more else 0, count, length) + ents


def trickle(host, port, srcs, n, seconds, reconnect):
    msg = upd(1, False)
    sel = selectors.DefaultSelector()
    conns = {}      # socket -> [opened at, bytes sent]
    opened = closed = 0
    end = time.monotonic() + seconds

    def connect(src):
        nonlocal opened
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((src, 0))
        s.settimeout(5)
        s.connect((host, port))
        s.setblocking(False)
        conns[s] = [time.monotonic(), 0, src]
        sel.register(s, selectors.EVENT_READ)
        opened += 1

    for src in srcs:
        for _ in range(n):
            connect(src)
    print("opened %d" % opened, flush=True)
    next_tick = time.monotonic()
    while time.monotonic() < end:
        for key, _ in sel.select(timeout=0.2):
            s = key.fileobj
            try:
                data = s.recv(4096)
            except OSError:
                data = b""
            if data:
                continue
            at, _, src = conns.pop(s)
            sel.unregister(s)
            s.close()
            closed += 1
            print("closed %.2f" % (time.monotonic() - at), flush=True)
            if reconnect and time.monotonic() < end:
                try:
                    connect(src)
                except OSError as e:
                    print("reconnect failed: %s" % e, flush=True)
        if time.monotonic() >= next_tick:
            next_tick += 1.0
            for s, st in list(conns.items()):
                if st[1] < len(msg) - 1:    # never the last byte
                    try:
                        s.send(msg[st[1]:st[1] + 1])
                        st[1] += 1
                    except OSError as e:
                        if e.errno not in (errno.EAGAIN, errno.EPIPE, errno.ECONNRESET):
                            raise
    for s in conns:
        s.close()
    print("opened=%d server_closed=%d" % (opened, closed), flush=True)


def exchange(host, port, msgs, hold):
    s = socket.create_connection((host, port), timeout=10)
    sent = 0
    try:
        for i in range(msgs):
            s.sendall(upd(1024, hold or i + 1 < msgs))
            sent += 1
    except OSError:
        pass
    got, closed = 0, "no"
    end = time.monotonic() + 10
    while time.monotonic() < end:
        try:
            s.settimeout(max(0.1, end - time.monotonic()))
            data = s.recv(65536)
        except socket.timeout:
            break
        except OSError:
            closed = "yes"
            break
        if not data:
            closed = "yes"
            break
        got += len(data)
        if got >= msgs * (8 + 1024 * 20):
            break
    s.close()
    print("sent=%d answered=%d closed=%s" % (sent, got, closed), flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "trickle":
        trickle(sys.argv[2], int(sys.argv[3]), sys.argv[4].split(","), int(sys.argv[5]),
                float(sys.argv[6]), len(sys.argv) > 7 and sys.argv[7] == "reconnect")
    elif sys.argv[1] == "exchange":
        exchange(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]),
                 len(sys.argv) > 5 and sys.argv[5] == "hold")
    else:
        sys.exit(2)
