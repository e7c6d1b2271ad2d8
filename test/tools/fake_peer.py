#!/usr/bin/env python3
"""fake_peer.py HOST PORT PASSWORD "BEGIN ..." FRAME...: acts as a first vnet
server (test tool): HELLO, the given BEGIN line, then one binary record per
FRAME and a second's pause before closing.  FRAME is DST,SRC,COUNT,TEXT:
COUNT frames of ethertype 0x88b5 from SRC to DST carrying TEXT.  Prints the
server's answers; exits 1 unless both were OK."""
import socket
import sys
import time


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def main():
    host, port, pw, begin = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    s = socket.create_connection((host, port), timeout=10)
    f = s.makefile("rb")
    s.sendall(("HELLO %s 1.0\n" % pw).encode())
    a = f.readline().decode().strip()
    print(a)
    if not a.startswith("OK"):
        return 1
    s.sendall((begin + "\n").encode())
    b = f.readline().decode().strip()
    print(b)
    if b != "OK":
        return 1
    for spec in sys.argv[5:]:
        dst, src, count, text = spec.split(",", 3)
        body = mac(dst) + mac(src) + b"\x88\xb5" + text.encode().ljust(46, b"\0")
        rec = bytes([1, len(body) >> 16, (len(body) >> 8) & 255, len(body) & 255]) + body
        for _ in range(int(count)):
            s.sendall(rec)
    time.sleep(1)
    s.close()
    return 0


sys.exit(main())
