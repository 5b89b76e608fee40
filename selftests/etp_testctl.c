// SPDX-License-Identifier: GPL-2.0
/*
 * etp_testctl: the client of a test build's "etp_test" family
 * (include/etp_test.h) for the selftests.
 *
 * usage: etp_testctl timers [COUNT MAX_DELAY_MS]
 *   With arguments, arm COUNT timers with random delays up to MAX_DELAY_MS
 *   on this netns' wheel; always print the batch's progress as one JSON
 *   object: {"count":N,"fired":N,"early":N,"late_max_ms":N}.
 * Exit 0, 1 on usage, 2 on a kernel error (errno and extack printed).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>

#include "etp_test.h"
#include "nl.h"

static const struct {
	int attr;
	const char *key;
} fields[] = {
	{ ETP_TEST_A_COUNT, "count" },
	{ ETP_TEST_A_FIRED, "fired" },
	{ ETP_TEST_A_EARLY, "early" },
	{ ETP_TEST_A_LATE_MAX_MS, "late_max_ms" },
};

static int report_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ETP_TEST_A_MAX + 1];
	const char *sep = "";
	unsigned int i;

	if (nl_parse(nlh, tb, ETP_TEST_A_MAX))
		return MNL_CB_ERROR;
	printf("{");
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (!tb[fields[i].attr])
			continue;
		printf("%s\"%s\":%u", sep, fields[i].key,
		       mnl_attr_get_u32(tb[fields[i].attr]));
		sep = ",";
	}
	printf("}\n");
	return MNL_CB_OK;
}

static unsigned int number(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || !*s || *end || v > 0xffffffffUL) {
		fprintf(stderr, "etp_testctl: '%s' is not a number\n", s);
		exit(1);
	}
	return v;
}

int main(int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct etp_nl nl;
	int err;

	if ((argc != 2 && argc != 4) || strcmp(argv[1], "timers")) {
		fprintf(stderr, "usage: etp_testctl timers [COUNT MAX_DELAY_MS]\n");
		return 1;
	}
	err = nl_open(&nl, ETP_TEST_GENL_NAME);
	if (err) {
		fprintf(stderr, "etp_testctl: family %s: %s (a test build of etp.ko?)\n",
			ETP_TEST_GENL_NAME, strerror(-err));
		return 2;
	}
	nlh = nl_msg(&nl, buf, ETP_TEST_CMD_TIMERS, 0);
	if (argc == 4) {
		mnl_attr_put_u32(nlh, ETP_TEST_A_COUNT, number(argv[2]));
		mnl_attr_put_u32(nlh, ETP_TEST_A_DELAY_MS, number(argv[3]));
	}
	err = nl_talk(&nl, nlh, report_cb, NULL);
	if (err)
		fprintf(stderr, "etp_testctl: timers: %s%s%s\n", strerror(-err),
			nl.extack[0] ? ": " : "", nl.extack);
	nl_close(&nl);
	return err ? 2 : 0;
}
