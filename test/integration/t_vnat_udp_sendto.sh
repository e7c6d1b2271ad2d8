#!/bin/bash
# VNAT and an unconnected UDP echo server (issue 16): the client sends with
# sendto on an unconnected socket bound to its address; CONNS? lists its flow
# as FLOW, it moves, RESUME moves the flow, the echoes go on (udp_flow.sh).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/udp_flow.sh"
udp_flow_run unconnected
finish
