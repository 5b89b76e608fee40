// SPDX-License-Identifier: GPL-2.0
/* Per-netns counters: names for userspace and a consistent-enough read. */
#include <linux/percpu.h>

#include "stats.h"

const char * const etp_mib_names[ETP_MIB_MAX] = {
	[ETP_MIB_IN_SEGS]		= "in_segs",
	[ETP_MIB_OUT_SEGS]		= "out_segs",
	[ETP_MIB_DROP_SHORT]		= "drop_short",
	[ETP_MIB_DROP_CSUM]		= "drop_bad_checksum",
	[ETP_MIB_DROP_OFFSET]		= "drop_bad_offset",
	[ETP_MIB_DROP_VERSION]		= "drop_bad_version",
	[ETP_MIB_DROP_FLAGS]		= "drop_bad_flags",
	[ETP_MIB_DROP_OPTION]		= "drop_bad_option",
	[ETP_MIB_DROP_NOCONN]		= "drop_no_connection",
	[ETP_MIB_DROP_WINDOW]		= "drop_out_of_window",
	[ETP_MIB_DROP_BAD_ACK]		= "drop_bad_ack",
	[ETP_MIB_DROP_NO_ACK]		= "drop_no_ack",
	[ETP_MIB_DROP_NO_SYN]		= "drop_no_syn",
	[ETP_MIB_DROP_RST_INVALID]	= "drop_rst_invalid",
	[ETP_MIB_DROP_RST_TIME_WAIT]	= "drop_rst_time_wait",
	[ETP_MIB_DROP_SYN_SYNCED]	= "drop_syn_synced",
	[ETP_MIB_DROP_OUT_OF_ORDER]	= "drop_out_of_order",
	[ETP_MIB_DROP_AFTER_FIN]	= "drop_after_fin",
	[ETP_MIB_ACTIVE_OPENS]		= "active_opens",
	[ETP_MIB_PASSIVE_OPENS]		= "passive_opens",
	[ETP_MIB_ATTEMPT_FAILS]		= "attempt_fails",
	[ETP_MIB_ESTAB_RESETS]		= "estab_resets",
	[ETP_MIB_ESTABLISHED]		= "established",
	[ETP_MIB_RESETS_IN]		= "resets_in",
	[ETP_MIB_RESETS_OUT]		= "resets_out",
	[ETP_MIB_RETRANSMITS]		= "retransmits",
	[ETP_MIB_TIMEOUTS]		= "timeouts",
	[ETP_MIB_CHALLENGE_ACKS]	= "challenge_acks",
	[ETP_MIB_CHALLENGE_ACKS_LIMITED] = "challenge_acks_limited",
	[ETP_MIB_REPLIES_RATELIMITED]	= "replies_ratelimited",
	[ETP_MIB_LISTEN_OVERFLOW]	= "listen_overflow",
	[ETP_MIB_CONN_LIMIT]		= "conn_limit",
	[ETP_MIB_OUT_NO_ROUTE]		= "out_no_route",
	[ETP_MIB_TIMERS_ARMED]		= "timers_armed",
	[ETP_MIB_TIMERS_CANCELLED]	= "timers_cancelled",
	[ETP_MIB_TIMERS_FIRED]		= "timers_fired",
	[ETP_MIB_TIMER_WAKEUPS]		= "timer_wakeups",
	[ETP_MIB_BYTES_IN]		= "bytes_in",
	[ETP_MIB_BYTES_OUT]		= "bytes_out",
	[ETP_MIB_DATA_SEGS_OUT]		= "data_segs_out",
	[ETP_MIB_RTO_EXPIRED]		= "rto_expired",
	[ETP_MIB_FAST_RETRANSMITS]	= "fast_retransmits",
	[ETP_MIB_DUPACKS_IN]		= "dupacks_in",
	[ETP_MIB_OOO_QUEUED]		= "ooo_queued",
	[ETP_MIB_DROP_OOO_FULL]		= "drop_ooo_full",
	[ETP_MIB_DROP_NO_MEMORY]	= "drop_no_memory",
	[ETP_MIB_RCV_PAGES_KEPT]	= "rcv_pages_kept",
	[ETP_MIB_PERSIST_PROBES]	= "persist_probes",
	[ETP_MIB_KEEPALIVE_PROBES]	= "keepalive_probes",
	[ETP_MIB_DELAYED_ACKS]		= "delayed_acks",
	[ETP_MIB_ICMP_IN]		= "icmp_in",
	[ETP_MIB_ICMP_IGNORED]		= "icmp_ignored",
	[ETP_MIB_PMTU_UPDATES]		= "pmtu_updates",
	[ETP_MIB_FAULTS_DROPPED]	= "faults_dropped",
	[ETP_MIB_FAULTS_DELAYED]	= "faults_delayed",
	[ETP_MIB_FAULTS_DUPLICATED]	= "faults_duplicated",
	[ETP_MIB_FAULTS_HELD]		= "faults_held",
	[ETP_MIB_FAULTS_RELEASED]	= "faults_released",
	[ETP_MIB_FAULTS_OVERFLOW]	= "faults_overflow",
};

u64 etp_mib_read(const struct etp_mib_counters __percpu *mib,
		 enum etp_mib field)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(mib, cpu)->v[field]);
	return sum;
}
