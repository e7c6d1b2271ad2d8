#!/usr/bin/env python3
"""pcap_payload.py FILE PORT: the TCP payload bytes sent to PORT in a pcap
(Ethernet, IPv4), concatenated in capture order, to stdout.  The tests use
it to replay a message an attacker on the path would have seen."""
import struct
import sys

data = open(sys.argv[1], "rb").read()
port = int(sys.argv[2])
out = bytearray()
off = 24
while off + 16 <= len(data):
    _, _, incl, _ = struct.unpack("<IIII", data[off:off + 16])
    pkt = data[off + 16:off + 16 + incl]
    off += 16 + incl
    if len(pkt) < 34 or pkt[12:14] != b"\x08\x00" or pkt[23] != 6:
        continue
    ihl = (pkt[14] & 15) * 4
    tcp = pkt[14 + ihl:]
    total = struct.unpack(">H", pkt[16:18])[0]
    if len(tcp) < 20 or struct.unpack(">H", tcp[2:4])[0] != port:
        continue
    doff = (tcp[12] >> 4) * 4
    out += tcp[doff:total - ihl]
sys.stdout.buffer.write(out)
