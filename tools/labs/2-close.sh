#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Lab 2 (docs/labs/2-close.md): why four segments to close; half-close;
# simultaneous close.
source "$(dirname "$0")/common.sh"
lab_setup
trap lab_cleanup EXIT
out=$(mktemp -d)

etpctl -n B listen 7000
id=$(etpctl -n A connect $B_IP 7000 sport 40000 wait)
bid=$(lab_b_id 40000 7000)

say "A closes: its FIN, B's ACK. B may still send (half-close)"
lab_trace "$out/half" port 7000
etpctl -n A close "$id"
sleep 0.5
echo "sent from CLOSE_WAIT" | etpctl -n B send "$bid"
sleep 0.5
etpctl -n B close "$bid"
lab_trace_end 3
cat "$out/half"

say "What A received after its own FIN"
etpctl -n A recv "$id" 2>&1 || true

say "Both close at once: each FIN reaches the other in FIN_WAIT_1"
id=$(etpctl -n A connect $B_IP 7000 sport 40001 wait)
bid=$(lab_b_id 40001 7000)
# Each side holds back the next two segments it receives (the other's
# FIN, then its ACK) for 500 ms: a long link, so the two FINs are both on
# their way before either arrives, as when two ends close at once.
etpctl -n A fault add delay 500 in count 2 >/dev/null
etpctl -n B fault add delay 500 in count 2 >/dev/null
lab_trace "$out/simul" port 7000
etpctl -n A close "$id"
etpctl -n B close "$bid"
lab_trace_end 4
cat "$out/simul"
