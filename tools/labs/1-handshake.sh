#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Lab 1 (docs/labs/1-handshake.md): why three segments to open.
source "$(dirname "$0")/common.sh"
lab_setup
trap lab_cleanup EXIT
out=$(mktemp -d)

say "B listens on port 7000; A connects from port 40000"
lab_trace "$out/open" port 7000
etpctl -n B listen 7000
etpctl -n A connect $B_IP 7000 sport 40000 wait >/dev/null
lab_trace_end
cat "$out/open"

say "An old duplicate SYN (seq 1000, from port 40001) reaches B"
lab_trace "$out/old" port 7000
ip netns exec A etp.py syn $B_IP 7000 sport=40001 seq=1000 wait=1 >/dev/null
lab_trace_end
cat "$out/old"

say "B's connections on port 7000 afterwards"
etpctl -n B -j show port 7000 |
	jq -r '.[] | "\(.id)\t\(.state)\t\(.local) <- \(.remote)"'

