/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ETP_PARAMS_H
#define _ETP_PARAMS_H

#include <net/netlink.h>
#include <uapi/linux/etp.h>

#include "etp.h"

/* NLA_POLICY_RANGE takes s16 bounds; u32 ranges need a validation struct. */
#define ETP_RANGE(name, lo, hi) \
	static struct netlink_range_validation name = { lo, hi }

extern const struct nla_policy etp_param_policy[ETP_PARAM_MAX + 1];

int etp_params_fill(struct sk_buff *skb, struct etp_params *p);
void etp_params_apply(struct etp_params *p, struct nlattr **tb);

#endif /* _ETP_PARAMS_H */
