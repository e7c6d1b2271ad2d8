#!/usr/bin/env python3
"""fake_ctl.py PATH LOG: a stand-in for a vnet server's local control socket
(test tool): listens on the Unix socket PATH, appends every line it
receives to LOG, answers a few requests as vnet does (HELLO is answered and
logged, so that a test can assert it was not sent) and NOK the rest; DONE
closes the session.  Runs until killed; removes PATH first."""
import os
import socket
import sys

ANSWERS = {
    "HELLO": ["OK 1.0"],
    "DEVICES?": ["OK devices", "1", "vmnet1"],
    "HANDLERS?": ["OK handlers", "0"],
    "VNAT HELPERS?": ["OK helpers", "1", "sshd keepalive"],
    "VNAT SUSPEND": ["OK suspended 0 connection(s); 0 of 0 peer(s) told, 0 connection(s) confirmed"],
    "VNAT RESUME": ["NOK nothing to resume: nothing moved"],
    "DONE": ["OK bye"],
}


def main():
    path, log = sys.argv[1], sys.argv[2]
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(8)
    while True:
        c, _ = s.accept()
        f = c.makefile("rwb", buffering=0)
        for raw in f:
            line = raw.decode(errors="replace").rstrip("\r\n")
            with open(log, "a") as out:
                out.write(line + "\n")
            word = line.split(" ")[0]
            key = line if line in ANSWERS else word
            for a in ANSWERS.get(key, ["NOK unknown request"]):
                f.write((a + "\n").encode())
            if word == "DONE":
                break
        c.close()


if __name__ == "__main__":
    main()
