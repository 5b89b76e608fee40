// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel timer benchmark client. For each number of pending timers it asks
 * etp.ko (ETP_TEST_CMD_BENCH, module/test/bench.c) to run the TCP-mix workload
 * on the netns wheel and on one timer_list per connection, side by side in
 * one request, and prints the results as markdown tables.
 *
 * Usage: kbench [-o OPS] [-r REPS] [-d MS] [PENDING...]
 *   OPS      ACKs per run (default 1000000)
 *   REPS     runs per size; medians are printed (default 1)
 *   MS       shortest RTO: RTOs are MS..6 MS (default 200, the kernel's)
 *   PENDING  timers pending (default 1000 10000 100000 1000000)
 * Needs CAP_NET_ADMIN and a test build of etp.ko loaded. Exit 1 on usage, 2 on a kernel
 * error (its extack message is printed).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "etp_test.h"
#include <linux/genetlink.h>

#include "nl.h"
#include "median.h"
#include "results.h"

#define MAX_SIZES	16
#define MAX_REPS	15

/* The phases module/test/bench.c reports, by ETP_TEST_A_BENCH_IMPL name. */
enum {
	W_MIX, T_MIX, W_ARM, T_ARM, W_CANCEL, T_CANCEL, CORE, CLOCK, LOCK,
	NR_PHASES
};

static const char * const phase_names[NR_PHASES] = {
	"wheel", "timer_list", "wheel:arm", "timer_list:arm",
	"wheel:cancel", "timer_list:cancel", "core", "clock", "lock_bh",
};

struct run {
	struct test_result p[NR_PHASES];
};

static uint32_t rto_min;	/* 0: the kernel's default */

static int bench(struct etp_nl *nl, uint32_t count, uint32_t ops,
		 struct run *run)
{
	struct test_results res = { phase_names, run->p, NR_PHASES };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int err;

	memset(run, 0, sizeof(*run));
	nlh = nl_msg(nl, buf, ETP_TEST_CMD_BENCH, 0);
	mnl_attr_put_u32(nlh, ETP_TEST_A_COUNT, count);
	mnl_attr_put_u32(nlh, ETP_TEST_A_OPS, ops);
	if (rto_min)
		mnl_attr_put_u32(nlh, ETP_TEST_A_DELAY_MS, rto_min);
	err = nl_talk(nl, nlh, test_results_cb, &res);
	if (err) {
		fprintf(stderr, "kbench: TEST_BENCH %u pending, %u ops: %s%s%s\n",
			count, ops, strerror(-err), nl->extack[0] ? ": " : "",
			nl->extack);
		return err;
	}
	return test_results_check(&res, "kbench");
}

/* Median over the runs of one phase: ns per operation, or expiries. */
static double per_op(const struct run *runs, int reps, int phase)
{
	double v[MAX_REPS];
	int r;

	for (r = 0; r < reps; r++)
		v[r] = (double)runs[r].p[phase].ns / runs[r].p[phase].ops;
	return median(v, reps);
}

static double fired(const struct run *runs, int reps, int phase)
{
	double v[MAX_REPS];
	int r;

	for (r = 0; r < reps; r++)
		v[r] = runs[r].p[phase].fired;
	return median(v, reps);
}

static void ratio(char *buf, size_t len, double w, double t)
{
	snprintf(buf, len, "%.2f (%.1fx %s)", w / t, w < t ? t / w : w / t,
		 w < t ? "faster" : "slower");
}

static void usage(void)
{
	fprintf(stderr, "usage: kbench [-o OPS] [-r REPS] [-d MS] [PENDING...]\n");
	exit(1);
}

static uint32_t number(const char *s)
{
	char *end;
	double v = strtod(s, &end);	/* accepts 1e6 */

	if (*end || v < 1 || v > 4e9 || v != (uint32_t)v)
		usage();
	return (uint32_t)v;
}

int main(int argc, char **argv)
{
	static struct run runs[MAX_SIZES][MAX_REPS];
	uint32_t sizes[MAX_SIZES] = { 1000, 10000, 100000, 1000000 };
	uint32_t ops = 1000000;
	int nsizes = 4, reps = 1, s, r, c, err;
	struct etp_nl nl;
	char rb[64];

	while ((c = getopt(argc, argv, "o:r:d:h")) != -1) {
		switch (c) {
		case 'd':
			rto_min = number(optarg);
			break;
		case 'o':
			ops = number(optarg);
			break;
		case 'r':
			reps = number(optarg);
			if (reps > MAX_REPS)
				usage();
			break;
		default:
			usage();
		}
	}
	if (optind < argc) {
		if (argc - optind > MAX_SIZES)
			usage();
		for (nsizes = 0; optind < argc; nsizes++)
			sizes[nsizes] = number(argv[optind++]);
	}

	err = nl_open(&nl, ETP_TEST_GENL_NAME);
	if (err) {
		fprintf(stderr, "kbench: etp_test generic netlink family: %s (is a test build of etp.ko loaded?)\n",
			strerror(-err));
		return 2;
	}
	/* Not reported: under TCG the first run also pays for translating code */
	if (bench(&nl, 1000, 10000, &runs[0][0])) {
		nl_close(&nl);
		return 2;
	}
	for (s = 0; s < nsizes; s++) {
		for (r = 0; r < reps; r++) {
			fprintf(stderr, "kbench: %u pending, %u ACKs, run %d/%d\n",
				sizes[s], ops, r + 1, reps);
			if (bench(&nl, sizes[s], ops, &runs[s][r])) {
				nl_close(&nl);
				return 2;
			}
		}
	}
	nl_close(&nl);

	rto_min = rto_min ? rto_min : 200;
	printf("### Kernel TCP mix: ns per ACK, RTOs of %u..%u ms\n\n", rto_min,
	       6 * rto_min);
	printf("Each ACK re-arms one connection's RTO a full RTO ahead.\n\n");
	printf("| pending | ACKs | wheel ns/ACK | timer_list ns/ACK | wheel/timer_list | RTOs expired (wheel / timer_list) |\n");
	printf("|--------:|-----:|-------------:|------------------:|-----------------:|----------------------------------:|\n");
	for (s = 0; s < nsizes; s++) {
		double w = per_op(runs[s], reps, W_MIX);
		double t = per_op(runs[s], reps, T_MIX);

		ratio(rb, sizeof(rb), w, t);
		printf("| %u | %u | %.1f | %.1f | %s | %.0f / %.0f |\n",
		       sizes[s], ops, w, t, rb, fired(runs[s], reps, W_MIX),
		       fired(runs[s], reps, T_MIX));
	}

	printf("\n### Kernel arm and cancel: ns per timer\n\n");
	printf("| pending | wheel arm | timer_list arm | wheel/timer_list | wheel cancel_sync | timer_delete_sync | wheel/timer_list |\n");
	printf("|--------:|----------:|---------------:|-----------------:|------------------:|------------------:|-----------------:|\n");
	for (s = 0; s < nsizes; s++) {
		double wa = per_op(runs[s], reps, W_ARM);
		double ta = per_op(runs[s], reps, T_ARM);
		double wc = per_op(runs[s], reps, W_CANCEL);
		double tc = per_op(runs[s], reps, T_CANCEL);
		char rc[64];

		ratio(rb, sizeof(rb), wa, ta);
		ratio(rc, sizeof(rc), wc, tc);
		printf("| %u | %.1f | %.1f | %s | %.1f | %.1f | %s |\n",
		       sizes[s], wa, ta, rb, wc, tc, rc);
	}
	printf("\n### Where the wheel's time goes: ns per ACK\n\n");
	printf("| pending | wheel via etp_ktimer_mod | core wheel alone (clock read + advance + arm) | clock read (etp_ktimer_now) | lock + unlock (_bh) | rest of the glue |\n");
	printf("|--------:|-----------------------:|----------------------------------------------:|---------------------------:|--------------------:|-----------------:|\n");
	for (s = 0; s < nsizes; s++) {
		double w = per_op(runs[s], reps, W_MIX);
		double core = per_op(runs[s], reps, CORE);
		double lk = per_op(runs[s], reps, LOCK);

		printf("| %u | %.1f | %.1f | %.1f | %.1f | %.1f |\n", sizes[s],
		       w, core, per_op(runs[s], reps, CLOCK), lk,
		       w - core - lk);
	}
	printf("\n%d run%s per size, medians. Arm: every timer, none pending. "
	       "Cancel: every timer, the first time after the ACKs. Below "
	       "100000 timers both are repeated until 100000 were timed.\n",
	       reps, reps == 1 ? "" : "s");
	return 0;
}
