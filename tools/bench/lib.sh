# SPDX-License-Identifier: GPL-2.0
# What the VM benchmarks share (sourced): etp loaded and unloaded, a veth
# between two namespaces, the VM's busy CPU time, and one etp counter.

bench_loaded=0

# bench_load KO: etp loaded, from KO unless it already is (bench_teardown
# then unloads it again).
bench_load() {
	grep -q '^etp ' /proc/modules && return 0
	[[ -f $1 ]] || { echo "$1 missing: run make module" >&2; return 1; }
	insmod "$1"
	bench_loaded=1
}

# bench_teardown NS...: the namespaces deleted, and etp unloaded if
# bench_load loaded it. Namespaces go away asynchronously and the module
# waits for them, so rmmod is tried for up to ten seconds.
bench_teardown() {
	local ns

	for ns; do
		ip netns del "$ns" 2>/dev/null || true
	done
	(( bench_loaded )) || return 0
	for _ in $(seq 100); do
		rmmod etp 2>/dev/null && break
		sleep 0.1
	done
}

# bench_veth NS_A IP_A NS_B IP_B: veth0 in each, addressed (/24) and up,
# loopback up too.
bench_veth() {
	local ns

	modprobe veth 2>/dev/null || true
	ip link add veth0 netns "$1" type veth peer name veth0 netns "$3"
	ip -n "$1" addr add "$2/24" dev veth0
	ip -n "$3" addr add "$4/24" dev veth0
	for ns in "$1" "$3"; do
		ip -n "$ns" link set lo up
		ip -n "$ns" link set veth0 up
	done
}

# bench_busy: the VM's busy CPU time so far, in USER_HZ ticks (/proc/stat).
bench_busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }

# bench_stat NS COUNTER: one etp counter of NS.
bench_stat() { etpctl -n "$1" -j stats | jq -r ".$2"; }

# The kernel's tick profiler (readprofile(8)), for --profile: the VM must
# boot with profile=2 (ETP_VM_APPEND=profile=2); tools/bench/profile-split
# says why not perf. bench_profile_start zeroes the counts;
# bench_profile_stop FILE saves them, busiest symbol first.
# bench_profile_ok says whether it can (a script's --profile asks first).
bench_profile_ok() {
	[[ -r /proc/profile ]] || {
		echo "--profile: run the VM with ETP_VM_APPEND=profile=2" >&2
		return 1
	}
}

bench_profile_start() {
	bench_profile_ok || return 1
	grep -v '\[' /proc/kallsyms >/tmp/bench-profile.map
	readprofile -r
}

bench_profile_stop() {
	readprofile -m /tmp/bench-profile.map | sort -rn >"$1"
}

# Time kernel functions with the function_graph tracer, for --time: each
# call of FUNC... and how long it took, nested calls included. Only the
# listed functions are patched (set_ftrace_filter): patching every
# function at once under TCG stalls the VM for minutes. A listed function
# called inside another listed one is not counted (depth 1), so list
# functions that do not call one another. With --in, only the first FUNC
# is timed on its own, and the others only within it (depth 2): what its
# time goes to. bench_fgraph_stop FILE saves one line per function:
# NAME CALLS MEAN_US.
bench_fgraph_start() {
	local t=/sys/kernel/tracing depth=1 graph

	[[ ${1:-} == --in ]] && { depth=2; shift; }
	# No function would mean every function: see above.
	(( $# )) || { echo "--time: name a function" >&2; return 1; }
	graph=("$@")
	(( depth == 2 )) && graph=("$1")
	[[ -e $t/trace ]] || mount -t tracefs nodev "$t" || return 1
	echo nop >"$t/current_tracer"
	echo 0 >"$t/tracing_on"
	echo >"$t/trace"
	echo 20000 >"$t/buffer_size_kb"
	if ! printf '%s\n' "$@" >"$t/set_ftrace_filter" ||
	   ! printf '%s\n' "${graph[@]}" >"$t/set_graph_function"; then
		echo "--time: not all of '$*' can be traced" >&2
		return 1
	fi
	echo "$depth" >"$t/max_graph_depth"
	echo function_graph >"$t/current_tracer"
	# An outer call's time is on its closing line: name it there too.
	echo 1 >"$t/options/funcgraph-tail"
	echo 1 >"$t/tracing_on"
}

bench_fgraph_stop() {
	local t=/sys/kernel/tracing

	echo 0 >"$t/tracing_on"
	# " 1) + 15.179 us   |  etp_nl_state_event [etp]();" or, closing a
	# call with timed calls inside, " 0) + 27.770 us   |  } /* f [etp] */"
	awk -F'|' 'NF >= 2 && match($1, /[0-9.]+ us/) {
		d = substr($1, RSTART, RLENGTH - 3); f = $2
		gsub(/ |;|\(|\)|\}|\/\*|\*\/|\[[a-z_0-9]*\]/, "", f)
		if (f !~ /^[a-zA-Z_][a-zA-Z_0-9.]*$/) next
		n[f]++; s[f] += d }
		END { for (f in n) printf "%s %d %.2f\n", f, n[f], s[f] / n[f] }' \
		"$t/trace" | sort >"$1"
	echo 0 >"$t/options/funcgraph-tail"
	echo nop >"$t/current_tracer"
	echo >"$t/set_ftrace_filter"
	echo >"$t/set_graph_function"
	echo >"$t/trace"
	echo 1 >"$t/tracing_on"
}
