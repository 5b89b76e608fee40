/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ETP_BENCH_H
#define _ETP_BENCH_H

#include <net/genetlink.h>
#include <uapi/linux/etp.h>

/* bench.c: ETP_CMD_TEST_BENCH, the wheel against timer_list in the kernel */
extern const struct nla_policy etp_test_bench_policy[ETP_A_MAX + 1];

int etp_nl_test_bench(struct sk_buff *skb, struct genl_info *info);

#endif /* _ETP_BENCH_H */
