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
