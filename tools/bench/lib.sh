# SPDX-License-Identifier: GPL-2.0
# What the VM benchmarks share (sourced): a veth between two namespaces,
# the VM's busy CPU time, and one etp counter.

# bench_veth NS_A IP_A NS_B IP_B: veth0 in each, addressed (/24) and up,
# loopback up too.
bench_veth() {
	local ns

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
