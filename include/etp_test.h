/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The "etp_test" generic netlink family: test hooks of etp.ko, present only
 * in test builds (`make module ETP_SELFTEST=y`, which `make check` uses).
 * Kept out of the uapi: a shipping etp.ko has none of this.
 */
#ifndef _ETP_TEST_H
#define _ETP_TEST_H

#define ETP_TEST_GENL_NAME	"etp_test"
#define ETP_TEST_GENL_VERSION	1

enum etp_test_cmd {
	ETP_TEST_CMD_UNSPEC,
	ETP_TEST_CMD_TIMERS,	/* arm timers on the netns wheel, report */
	ETP_TEST_CMD_BENCH,	/* wheel vs timer_list, TCP mix */
	ETP_TEST_CMD_EXCHANGE,	/* open+close in the kernel, etp and TCP */

	__ETP_TEST_CMD_MAX,
	ETP_TEST_CMD_MAX = __ETP_TEST_CMD_MAX - 1
};

enum etp_test_attr {
	ETP_TEST_A_UNSPEC,
	ETP_TEST_A_COUNT,	/* u32: how many timers */
	ETP_TEST_A_DELAY_MS,	/* u32: spread of expiries / shortest RTO */
	ETP_TEST_A_FIRED,	/* u32: timers fired so far */
	ETP_TEST_A_EARLY,	/* u32: fired before their expiry */
	ETP_TEST_A_LATE_MAX_MS,	/* u32: worst lateness beyond the wheel bound */
	ETP_TEST_A_OPS,		/* u32: operations to run */
	ETP_TEST_A_BENCH,	/* nest of enum etp_test_bench_attr */
	ETP_TEST_A_NETNS_FD,	/* u32: the server's netns, for EXCHANGE */
	ETP_TEST_A_ADDR,	/* be32: the server's address */
	ETP_TEST_A_PORT,	/* u16: the server's port */

	__ETP_TEST_A_MAX,
	ETP_TEST_A_MAX = __ETP_TEST_A_MAX - 1
};

/* One implementation's result in ETP_TEST_CMD_BENCH. */
enum etp_test_bench_attr {
	ETP_TEST_A_BENCH_UNSPEC,
	ETP_TEST_A_BENCH_IMPL,	/* string: "wheel" or "timer_list" */
	ETP_TEST_A_BENCH_OPS,	/* u64: operations timed */
	ETP_TEST_A_BENCH_NS,	/* u64: wall time of those operations */
	ETP_TEST_A_BENCH_FIRED,	/* u64: timers that expired meanwhile */
	ETP_TEST_A_BENCH_PAD,

	__ETP_TEST_A_BENCH_MAX,
	ETP_TEST_A_BENCH_MAX = __ETP_TEST_A_BENCH_MAX - 1
};

#endif /* _ETP_TEST_H */
