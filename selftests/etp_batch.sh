#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# etpctl -batch FILE|- [-force] (docs/etpctl.md, "Batches"): many commands in
# one process on one netlink socket, as ip -batch runs them. Lines are split
# as a shell splits them (quotes, comments, blank lines, a backslash joining
# lines); the options before -batch (-n, -j) apply to every line; every
# error names its line; without -force the first failing line ends the
# batch, with -force every line runs, and either way the exit status is 1 if
# any line failed. Commands that would never end are refused. Thousands of
# connects and closes take seconds in one batch, not minutes.
source "$(dirname "$0")/lib.sh"

require_root
require_cmd jq

A_IP=198.18.0.1
B_IP=198.18.0.2
OUT=$ETP_TMP/out ERR=$ETP_TMP/err F=$ETP_TMP/batch

# run WANT_RC ARG...: etpctl ARG..., stdout to $OUT, stderr to $ERR; check
# its exit status.
run() {
	local want=$1 rc

	shift
	etpctl "$@" >"$OUT" 2>"$ERR"
	rc=$?
	if ((rc == want)); then
		check_ok "etpctl $* -> $rc"
	else
		check_fail "etpctl $* -> $rc, want $want ($(head -c 300 "$ERR"))"
	fi
}

# err_is DESC WANT: stderr of the last run is exactly WANT.
err_is() {
	check_eq "$1" "$(<"$ERR")" "$2"
}

# sockets PID: the sockets the process has open ("socket:[INODE]"), sorted.
sockets() {
	find "/proc/$1/fd" -lname 'socket:*' -printf '%l\n' 2>/dev/null |
		sort | paste -sd' '
}

# --- bad input, before the kernel is asked -------------------------------------
etp_unload
run 1 -batch "$ETP_TMP/nosuch"
err_is "a missing file" \
	"etpctl: -batch: cannot open '$ETP_TMP/nosuch': No such file or directory"
run 1 -batch
err_is "-batch without FILE" "etpctl: option '-batch' needs a value"
run 1 -force info
err_is "-force without -batch" "etpctl: -force goes with -batch FILE"
: >"$F"
run 1 -batch "$F" show
err_is "-batch FILE COMMAND" \
	"etpctl: -batch $F: no COMMAND after it (the commands are the file's lines)"
printf '# nothing but comments\n\n   # and blanks\n\t\n' >"$F"
run 0 -batch "$F"
check_eq "a batch without commands prints nothing" "$(<"$OUT")$(<"$ERR")" ""

# Line 5's quote is not closed on its line: that line fails, not the rest.
cat >"$F" <<'EOF'
# usage errors: no kernel needed
help show

frobnicate
connect 198.18.0.2 'unterminated
s
connect 198.18.0.2 7000 bogus
show "open
EOF
run 1 -batch "$F"
err_is "without -force, the first failing line ends the batch" \
	"etpctl: line 4: unknown command 'frobnicate' (try 'etpctl help')"
check "the lines before it ran (help show)" grep -q "^usage: etpctl show" "$OUT"
run 1 -force -batch "$F"
err_is "with -force, every line runs and every error has its line" \
"etpctl: line 4: unknown command 'frobnicate' (try 'etpctl help')
etpctl: line 5: unterminated single quote
etpctl: line 6: 's' is ambiguous: stats show send
etpctl: line 7: connect: unknown argument 'bogus'
etpctl: line 8: unterminated double quote
etpctl: -batch $F: 5 of 6 commands failed"
run 1 -b "$F" -f
check_eq "-b FILE -f is -batch FILE -force" "$(tail -n1 "$ERR")" \
	"etpctl: -batch $F: 5 of 6 commands failed"

# What would never end by itself is refused, and stdin is the batch's.
printf '%s\n' monitor trace 'trace count 0 id 1' 'send 1' 'send 1 -' \
	'cat 198.18.0.2 7000' >"$F"
etpctl -force -batch - <"$F" >"$OUT" 2>"$ERR"
check_eq "-batch -: the refusals, exit status" "$?" 1
err_is "monitor, trace without an end, and stdin readers are refused" \
"etpctl: line 1: monitor: not in a batch: it runs until interrupted (run it as an etpctl of its own)
etpctl: line 2: trace: in a batch, give count N or duration SECONDS (it would run until interrupted)
etpctl: line 3: trace: in a batch, give count N or duration SECONDS (it would run until interrupted)
etpctl: line 4: send: stdin is the batch's (-batch -): give a FILE
etpctl: line 5: send: stdin is the batch's (-batch -): give a FILE
etpctl: line 6: cat: stdin is the batch's (-batch -): cat needs its own
etpctl: -batch -: 6 of 6 commands failed"

printf 'info\nshow\n' >"$F"
run 1 -batch "$F"
err_is "without etp.ko: line 1 fails, and the batch stops there" \
	"etpctl: line 1: generic netlink family 'etp' not found (is etp.ko loaded?): No such file or directory"

# --- commands on one socket ----------------------------------------------------
etp_load
ns_create A B
veth_pair "$A" $A_IP "$B" $B_IP

# A batch from stdin, in the namespace -n names.
etpctl -n "$B" -batch - >"$OUT" 2>"$ERR" <<'EOF'
param set fin_wait2_ms 600000
listen 7000 backlog 65535
listen 7500 backlog 65535
EOF
check_eq "-n NS -batch - (stdin)" "$?$(<"$ERR")" 0
check_eq "its lines ran in NS" \
	"$(etpctl -n "$B" -j show state listen | jq -c '[.[].local] | sort')" \
	'["0.0.0.0:7000","0.0.0.0:7500"]'

# One socket for every line, whatever the line: the process's sockets,
# looked at while its stats interval lines wait, are the same ones from the
# first line to the last (and connect wait adds one for events, once).
{
	echo "stats interval 3"
	echo "listen 7100"
	for i in $(seq 20); do echo "connect $B_IP 7000"; done
	echo "connect $B_IP 7000 wait"
	echo "show port 7100"
	echo "stats interval 3"
	echo "connect $B_IP 7000 wait"
	echo "stats interval 3"
} >"$F"
etpctl -n "$A" -batch "$F" >"$OUT" 2>"$ERR" &
pid=$!
ETP_BG+=("$pid")
ids() { grep -cx '[0-9]*' "$OUT"; }
has_socket() { [[ -n $(sockets "$pid") ]]; }
shown() { grep -q "0.0.0.0:7100" "$OUT"; }
all_ids() { (($(ids) == 22)); }
wait_until 30 has_socket
first=$(sockets "$pid") first_ids=$(ids)
wait_until 30 shown
middle=$(sockets "$pid")
wait_until 30 all_ids
last=$(sockets "$pid")
wait $pid
check_eq "that batch's exit status" "$?$(<"$ERR")" 0
check_eq "its connects printed 22 ids" "$(ids)" 22
check_eq "line 1: one socket (and no line after it had run)" \
	"$(wc -w <<<"$first") $first_ids" "1 0"
check "line 25: the same socket, and one for events: [$first] [$middle]" \
	test "$(wc -w <<<"$middle")" = 2 -a "${middle/"$first"/}" != "$middle"
check_eq "line 27: the same two sockets" "$last" "$middle"
for id in $(grep -x '[0-9]*' "$OUT" | sed -n '21p;22p'); do
	check "connect wait $id: ESTABLISHED" state_is "$A" "$id" ESTABLISHED
done

# --- errors: their lines, -force, and the words of each line's own -----------
cat >"$F" <<EOF
listen 7200
close 424242
listen 7201
EOF
run 1 -n "$A" -batch "$F"
err_is "a kernel error names its line" \
	"etpctl: line 2: close: no connection 424242"
check "the line before it ran" test -n "$(listener_id "$A" 7200)"
check "the line after it did not" test -z "$(listener_id "$A" 7201)"
run 1 -n "$A" -force -batch "$F"
err_is "-force: each error with its line, and how many failed" \
"etpctl: line 1: listen: port 7200 already has a listener
etpctl: line 2: close: no connection 424242
etpctl: -batch $F: 2 of 3 commands failed"
check "-force: the line after the errors ran" test -n "$(listener_id "$A" 7201)"
printf 'unlisten 7200\nunlisten 7201\n' >"$F"
run 0 -n "$A" -force -batch "$F"
check_eq "-force with no error: exit 0, silent" "$(<"$OUT")$(<"$ERR")" ""

# Each line's message is in its own words, not an earlier line's (a connect
# said the remote address; a listen's EADDRINUSE must not borrow it).
cat >"$F" <<EOF
connect $B_IP 7000 sport 41000
listen 7100
connect $B_IP 7000 sport 41000
connect 198.18.9.9 7000
unlisten 7999
EOF
run 1 -n "$A" -force -batch "$F"
err_is "each line's error in its own words" \
"etpctl: line 2: listen: port 7100 already has a listener
etpctl: line 3: connect: a connection from local port 41000 to $B_IP port 7000 already exists
etpctl: line 4: connect: no route to 198.18.9.9 (Network is unreachable)
etpctl: line 5: unlisten: nothing listens on port 7999
etpctl: -batch $F: 4 of 5 commands failed"
printf 'connect %s 7999 wait\n' $B_IP >"$F"
run 1 -n "$A" -batch "$F"
err_is "connect wait refused, with its line" \
	"etpctl: line 1: connect: Connection refused"

# --- comments, blank lines, quoting, joined lines ---------------------------------
cat >"$F" <<'EOF'
# listeners, spelt in every way a shell would take

	listen '7400'   # a comment after a command
"listen" "74"01 backlog\
 16
li\
sten 7402 # joined inside a word
listen 74\03
listen "7404" backlog '1'"6"
listen 7400
EOF
run 1 -n "$A" -batch "$F"
err_is "the last line's error names its line (10), after joined lines" \
	"etpctl: line 10: listen: port 7400 already has a listener"
check_eq "every listener, whatever its spelling" \
	"$(etpctl -n "$A" -j show state listen | jq -c '[.[] | select(.local | test(":740")) | [.local, .backlog]] | sort')" \
	'[["0.0.0.0:7400",128],["0.0.0.0:7401",16],["0.0.0.0:7402",128],["0.0.0.0:7403",128],["0.0.0.0:7404",16]]'

# --- JSON: -j applies to every line, one JSON value per line ------------------
cat >"$F" <<EOF
connect $B_IP 7000 wait
show state listen
param show
stats
show 424242
EOF
run 1 -n "$A" -j -force -batch "$F"
check_eq "-j: one JSON value per result, one per line" \
	"$(jq -c 'type' "$OUT" | paste -sd' ')" '"object" "array" "object" "object"'
check_eq "-j: as many lines" "$(wc -l <"$OUT")" 4
check_eq "-j connect wait" "$(head -n1 "$OUT" | jq -r .state)" ESTABLISHED
check_eq "-j param show" "$(sed -n 3p "$OUT" | jq .fin_wait2_ms)" 60000
err_is "-j: errors still on stderr, with their line" \
"etpctl: line 5: show: no connection 424242
etpctl: -batch $F: 1 of 5 commands failed"
run 1 -n "$A" -p -force -batch "$F"
check_eq "-p: the same values, spread over lines" \
	"$(jq -c 'type' "$OUT" | paste -sd' ')" '"object" "array" "object" "object"'

# --- data and trace lines: they end, and the batch goes on --------------------------
head -c 300000 /dev/urandom >"$ETP_TMP/data"
id=$(etpctl -n "$A" connect $B_IP 7000 sport 41500 wait)
bid=$(conn_find "$B" "$B_IP:7000" "$A_IP:41500")
printf 'send %s %s --close\nshow %s\n' "$id" "$ETP_TMP/data" "$id" >"$F"
etpctl -n "$A" -batch "$F" >"$ETP_TMP/send.out" 2>"$ETP_TMP/send.err" &
spid=$!
ETP_BG+=("$spid")
printf 'recv %s %s\ntrace duration 1\nshow %s\n' "$bid" "$ETP_TMP/got" "$bid" \
	>"$ETP_TMP/recv.batch"
run 0 -n "$B" -batch "$ETP_TMP/recv.batch"
wait $spid
check_eq "send FILE --close in a batch" "$?$(<"$ETP_TMP/send.err")" 0
check "recv FILE in a batch: every byte" cmp -s "$ETP_TMP/data" "$ETP_TMP/got"
check "trace duration 1 ended and the next line ran" \
	grep -q "^$bid  *\(CLOSE_WAIT\|LAST_ACK\|CLOSED\) " "$OUT"

# A signal that stops a trace line ends the batch (once the trace is done),
# as it would end the trace alone.
printf 'trace duration 60\nlisten 7777\n' >"$F"
etpctl -n "$A" -batch "$F" >"$OUT" 2>"$ERR" &
pid=$!
ETP_BG+=("$pid")
tracing() { grep -q "line 1: trace: listening" "$ERR"; }
wait_until 30 tracing
kill -TERM "$pid"
wait "$pid"
check_eq "SIGTERM in a trace line: the batch ends by it" "$?" 143
check "the line after the trace did not run" \
	test -z "$(listener_id "$A" 7777)"

# --- thousands of lines: seconds, not minutes -----------------------------------
N=3000
for i in $(seq $N); do echo "connect $B_IP 7500"; done >"$F"
t0=$(now_ms)
run 0 -n "$A" -batch "$F"
t_conn=$(($(now_ms) - t0))
log "$N connects in one batch: $t_conn ms"
check_eq "$N connects: $N distinct ids" "$(sort -u "$OUT" | grep -cx '[0-9]*')" $N
established() {
	(($(etpctl -n "$A" -j show state established port 7500 | jq length) == N))
}
check "all $N established" wait_until 120 established
sed 's/^/close /' "$OUT" >"$F"
t0=$(now_ms)
run 0 -n "$A" -batch "$F"
t_close=$(($(now_ms) - t0))
log "$N closes in one batch: $t_close ms"
check_eq "$N closes: silent" "$(<"$OUT")$(<"$ERR")" ""
check_eq "none is ESTABLISHED any more" \
	"$(etpctl -n "$A" -j show state established port 7500 | jq length)" 0
check "$N connects and $N closes took less than 60 s" \
	test $((t_conn + t_close)) -lt 60000

# The same work, one process per command, for a sample of 30.
M=30
t0=$(now_ms)
for i in $(seq $M); do etpctl -n "$A" connect $B_IP 7500 >/dev/null; done
t_proc=$(($(now_ms) - t0))
log "$M connects, one process each: $t_proc ms ($((t_proc * 1000 / M)) us each, batch $((t_conn * 1000 / N)) us)"
check "a batch's connect is 10 times cheaper than a process's" \
	test $((t_conn * M * 10)) -lt $((t_proc * N))

exit $ret
