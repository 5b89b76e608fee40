// SPDX-License-Identifier: GPL-2.0
/*
 * etpctl test-timers [COUNT MAX_DELAY_MS]: the kernel's wheel test hook.
 * With arguments, arm COUNT timers with random delays up to MAX_DELAY_MS on
 * this netns' wheel; always print the batch's progress. For selftests.
 */
#include <linux/etp.h>

#include "etpctl.h"
#include "print.h"

static int report_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ETP_A_MAX + 1];
	static const struct { int attr; const char *key; } fields[] = {
		{ ETP_A_TEST_COUNT, "count" },
		{ ETP_A_TEST_FIRED, "fired" },
		{ ETP_A_TEST_EARLY, "early" },
		{ ETP_A_TEST_LATE_MAX_MS, "late_max_ms" },
	};
	unsigned int i;

	if (nl_parse(nlh, tb, ETP_A_MAX))
		return MNL_CB_ERROR;
	print_obj_begin(NULL);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (tb[fields[i].attr])
			print_u64(fields[i].key,
				  mnl_attr_get_u32(tb[fields[i].attr]));
	print_obj_end();
	print_flush();
	return MNL_CB_OK;
}

int cmd_test_timers(struct etp_nl *nl, int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned int count, delay;
	struct nlmsghdr *nlh;
	int err;

	if (argc == 2) {
		if (parse_u32(argv[0], &count) || parse_u32(argv[1], &delay))
			return usage_error("test-timers COUNT MAX_DELAY_MS");
	} else if (argc) {
		return usage_error("test-timers [COUNT MAX_DELAY_MS]");
	}
	err = etpctl_open(nl);
	if (err)
		return err;
	nlh = nl_msg(nl, buf, ETP_CMD_TEST_TIMERS, 0);
	if (argc == 2) {
		mnl_attr_put_u32(nlh, ETP_A_TEST_COUNT, count);
		mnl_attr_put_u32(nlh, ETP_A_TEST_DELAY_MS, delay);
	}
	err = nl_talk(nl, nlh, report_cb, NULL);
	return err ? kernel_error(nl, err, "test-timers") : 0;
}
