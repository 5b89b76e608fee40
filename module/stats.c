// SPDX-License-Identifier: GPL-2.0
/* Per-netns counters: names for userspace and a consistent-enough read. */
#include <linux/percpu.h>

#include "etp.h"

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
	[ETP_MIB_TIMERS_ARMED]		= "timers_armed",
	[ETP_MIB_TIMERS_CANCELLED]	= "timers_cancelled",
	[ETP_MIB_TIMERS_FIRED]		= "timers_fired",
	[ETP_MIB_TIMER_WAKEUPS]		= "timer_wakeups",
};

u64 etp_mib_read(const struct etp_net *en, enum etp_mib field)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(en->mib, cpu)->v[field]);
	return sum;
}
