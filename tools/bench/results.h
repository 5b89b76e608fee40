/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The figures of a test-hook reply (module/test/family.c's
 * etp_test_put_result()): one ETP_TEST_A_BENCH nest per measurement,
 * named by ETP_TEST_A_BENCH_IMPL.
 */
#ifndef _BENCH_RESULTS_H
#define _BENCH_RESULTS_H

#include <stdint.h>
#include <libmnl/libmnl.h>

struct test_result {
	uint64_t ops, ns, fired;
	int have;
};

/* The measurements wanted: res[i] is the one named names[i]. */
struct test_results {
	const char * const *names;
	struct test_result *res;
	int n;
};

/* libmnl callback for nl_talk(), data a struct test_results. */
int test_results_cb(const struct nlmsghdr *nlh, void *data);

/*
 * 0 if the reply had every measurement wanted, each with operations;
 * otherwise -EBADMSG, said on stderr after prog.
 */
int test_results_check(const struct test_results *r, const char *prog);

#endif /* _BENCH_RESULTS_H */
