#!/usr/bin/env python3
"""An interactive-like TCP session for the VNAT kick test: each end writes a
short line every 0.2 s and logs, one line per read, the wall-clock time at
which bytes from the other end arrived.

  ticker.py serve PORT LOG SECONDS       (listens on :: and 0.0.0.0)
  ticker.py connect HOST PORT LOG SECONDS
"""
import socket
import sys
import threading
import time


def reader(s, log):
    with open(log, "w", buffering=1) as f:
        while True:
            try:
                b = s.recv(65536)
            except OSError:
                return
            if not b:
                return
            f.write("%.6f %d\n" % (time.time(), len(b)))


def run(s, log, secs):
    t = threading.Thread(target=reader, args=(s, log), daemon=True)
    t.start()
    end = time.monotonic() + secs
    n = 0
    while time.monotonic() < end:
        s.sendall(b"tick %010d\n" % n)
        n += 1
        time.sleep(0.2)
    s.shutdown(socket.SHUT_WR)
    t.join(5)


def main():
    if sys.argv[1] == "serve":
        port, log, secs = int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
        ls = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        ls.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("::", port))
        ls.listen(1)
        s, _ = ls.accept()
        ls.close()
    else:
        host, port, log, secs = sys.argv[2], int(sys.argv[3]), sys.argv[4], float(sys.argv[5])
        s = socket.create_connection((host, port), timeout=10)
        s.settimeout(None)
    run(s, log, secs)


if __name__ == "__main__":
    main()
