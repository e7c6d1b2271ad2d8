#!/usr/bin/env python3
"""idle_peer.py serve PORT: accept one TCP connection and give up after 5 s
of silence from the other end (keepalive probes every second, and
TCP_USER_TIMEOUT 5000 ms); exit 0 when "done" arrives, 1 if the connection
dies (the error on stderr).
idle_peer.py connect HOST PORT FLAG: connect, wait for the file FLAG,
send "done", exit 0."""
import os
import socket
import sys
import time

if sys.argv[1] == "serve":
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", int(sys.argv[2])))
    ls.listen(1)
    c, _ = ls.accept()
    c.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 3)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, 5000)
    try:
        data = c.recv(16)
    except OSError as e:
        print("idle_peer: gave up: %s" % e, file=sys.stderr)
        sys.exit(1)
    sys.exit(0 if data == b"done" else 1)
else:
    s = socket.create_connection((sys.argv[2], int(sys.argv[3])))
    end = time.time() + 120
    while not os.path.exists(sys.argv[4]) and time.time() < end:
        time.sleep(0.1)
    s.sendall(b"done")
    time.sleep(1)
