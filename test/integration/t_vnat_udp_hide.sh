#!/bin/bash
# VNAT's per-application option of seed 001, 3.4.1 (issue 16): the echo
# server, an unconnected UDP socket, is in mode hide on its host (vadd -m
# hide); the client (connected) moves and resumes: the echoes go on and the
# server sees one sender address, the client's old one, from start to end
# (udp_flow.sh; t_vnat_udp_flow is the same without hide: the new address).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/udp_flow.sh"
udp_flow_run connected hide
finish
