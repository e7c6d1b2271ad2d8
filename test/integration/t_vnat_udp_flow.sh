#!/bin/bash
# VNAT and an unconnected UDP echo server (issue 16): the client's socket is
# connected; it moves, RESUME, the echoes go on (udp_flow.sh).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/udp_flow.sh"
udp_flow_run connected
finish
