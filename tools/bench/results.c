// SPDX-License-Identifier: GPL-2.0
/* The figures of a test-hook reply: see results.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "etp_test.h"
#include <linux/genetlink.h>

#include "nl.h"
#include "results.h"

int test_results_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ETP_TEST_A_BENCH_MAX + 1];
	const struct test_results *r = data;
	const struct nlattr *attr;
	struct test_result *res;
	const char *impl;
	int i;

	mnl_attr_for_each(attr, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(attr) != ETP_TEST_A_BENCH)
			continue;
		if (nl_parse_nested(attr, tb, ETP_TEST_A_BENCH_MAX) ||
		    !tb[ETP_TEST_A_BENCH_IMPL] || !tb[ETP_TEST_A_BENCH_OPS] ||
		    !tb[ETP_TEST_A_BENCH_NS])
			return MNL_CB_ERROR;
		impl = mnl_attr_get_str(tb[ETP_TEST_A_BENCH_IMPL]);
		for (i = 0; i < r->n; i++) {
			if (strcmp(impl, r->names[i]))
				continue;
			res = &r->res[i];
			res->ops = mnl_attr_get_u64(tb[ETP_TEST_A_BENCH_OPS]);
			res->ns = mnl_attr_get_u64(tb[ETP_TEST_A_BENCH_NS]);
			if (tb[ETP_TEST_A_BENCH_FIRED])
				res->fired = mnl_attr_get_u64(tb[ETP_TEST_A_BENCH_FIRED]);
			res->have = 1;
		}
	}
	return MNL_CB_OK;
}

int test_results_check(const struct test_results *r, const char *prog)
{
	int i;

	for (i = 0; i < r->n; i++) {
		if (!r->res[i].have || !r->res[i].ops) {
			fprintf(stderr, "%s: reply lacks \"%s\"\n", prog,
				r->names[i]);
			return -EBADMSG;
		}
	}
	return 0;
}
