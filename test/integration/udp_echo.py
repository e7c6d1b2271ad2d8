#!/usr/bin/env python3
"""UDP echo, for the namespace tests of VNAT's UDP flows (t_vnat_udp_flow).

server PORT LOG [6]: an unconnected socket bound to 0.0.0.0:PORT (with 6:
[::]:PORT, IPv6 and IPv4) answers every datagram with sendto to its sender
(recvfrom), and writes each sender "address:port" to LOG.
client HOST PORT SECONDS LOG connected|unconnected [BIND [IDLE]]: one
datagram every 50 ms for SECONDS, on a connected socket (send) or an
unconnected one (sendto) bound to BIND (default 0.0.0.0), then IDLE seconds
(default 0) with the socket open and silent; every echo received is written
to LOG as "time sequence sender".  A HOST with a colon is IPv6.  While the file named by $UDP_ECHO_PAUSE
exists, the client sends nothing."""
import os
import socket
import sys
import time


def server(port, log, v6):
    s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_DGRAM)
    if v6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::" if v6 else "0.0.0.0", port))
    with open(log, "w", buffering=1) as out:
        while True:
            d, a = s.recvfrom(512)
            out.write("%s:%d\n" % a[:2])
            s.sendto(d, a)


def client(host, port, seconds, log, mode, bind, idle):
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
    if mode == "connected":
        s.connect((host, port))
    else:
        s.bind((bind, 0))
    s.settimeout(0.01)
    end = time.time() + seconds
    nxt, seq = time.time(), 0
    pause = os.environ.get("UDP_ECHO_PAUSE", "")
    with open(log, "w", buffering=1) as out:
        while time.time() < end:
            if time.time() >= nxt and pause and os.path.exists(pause):
                nxt += 0.05
            elif time.time() >= nxt:
                try:
                    if mode == "connected":
                        s.send(b"%d" % seq)
                    else:
                        s.sendto(b"%d" % seq, (host, port))
                except OSError:
                    pass	# no address during the move: lost, as for any application
                seq += 1
                nxt += 0.05
            try:
                d, a = s.recvfrom(512)
                out.write("%.3f %s %s:%d\n" % (time.time(), d.decode(), a[0], a[1]))
            except (socket.timeout, OSError):
                pass
    time.sleep(idle)


if __name__ == "__main__":
    if sys.argv[1] == "server":
        server(int(sys.argv[2]), sys.argv[3], len(sys.argv) > 4 and sys.argv[4] == "6")
    else:
        client(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5], sys.argv[6],
               sys.argv[7] if len(sys.argv) > 7 else "0.0.0.0",
               float(sys.argv[8]) if len(sys.argv) > 8 else 0)
