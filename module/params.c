// SPDX-License-Identifier: GPL-2.0
/*
 * Per-netns parameters: defaults, the range policy netlink enforces, and the
 * mapping between attributes and fields, kept together so a parameter is
 * added in exactly one place.
 */
#include <net/netlink.h>
#include <uapi/linux/etp.h>

#include "etp.h"
#include "params.h"

struct etp_param_desc {
	size_t offset;
	u32 def;
};

#define ETP_PARAM(attr, field, dflt) \
	[attr] = { offsetof(struct etp_params, field), dflt }

static const struct etp_param_desc etp_param_descs[ETP_PARAM_MAX + 1] = {
	ETP_PARAM(ETP_PARAM_MSL_MS,		msl_ms,		30000),
	ETP_PARAM(ETP_PARAM_RTO_INITIAL_MS,	rto_initial_ms,	1000),
	ETP_PARAM(ETP_PARAM_SYN_RETRIES,	syn_retries,	5),
	ETP_PARAM(ETP_PARAM_RETRIES,		retries,	8),
	ETP_PARAM(ETP_PARAM_BACKLOG,		backlog,	128),
	ETP_PARAM(ETP_PARAM_MAX_CONNS,		max_conns,	65536),
	ETP_PARAM(ETP_PARAM_FIN_WAIT2_MS,	fin_wait2_ms,	60000),
};

/* Ranges are enforced by the netlink core, which also writes the extack. */
ETP_RANGE(etp_range_msl, 1, 600000);
ETP_RANGE(etp_range_rto, 10, 60000);
ETP_RANGE(etp_range_syn_retries, 1, 20);
ETP_RANGE(etp_range_retries, 1, 30);
ETP_RANGE(etp_range_backlog, 1, 65535);
ETP_RANGE(etp_range_max_conns, 1, 1 << 20);
ETP_RANGE(etp_range_fin_wait2, 10, 600000);

const struct nla_policy etp_param_policy[ETP_PARAM_MAX + 1] = {
	[ETP_PARAM_MSL_MS] = NLA_POLICY_FULL_RANGE(NLA_U32, &etp_range_msl),
	[ETP_PARAM_RTO_INITIAL_MS] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &etp_range_rto),
	[ETP_PARAM_SYN_RETRIES] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &etp_range_syn_retries),
	[ETP_PARAM_RETRIES] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &etp_range_retries),
	[ETP_PARAM_BACKLOG] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &etp_range_backlog),
	[ETP_PARAM_MAX_CONNS] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &etp_range_max_conns),
	[ETP_PARAM_FIN_WAIT2_MS] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &etp_range_fin_wait2),
};

static u32 *etp_param_field(struct etp_params *p, int attr)
{
	return (u32 *)((u8 *)p + etp_param_descs[attr].offset);
}

void etp_params_init(struct etp_params *p)
{
	int attr;

	for (attr = 1; attr <= ETP_PARAM_MAX; attr++)
		*etp_param_field(p, attr) = etp_param_descs[attr].def;
}

int etp_params_fill(struct sk_buff *skb, struct etp_params *p)
{
	struct nlattr *nest;
	int attr;

	nest = nla_nest_start(skb, ETP_A_PARAMS);
	if (!nest)
		return -EMSGSIZE;
	for (attr = 1; attr <= ETP_PARAM_MAX; attr++) {
		if (nla_put_u32(skb, attr, READ_ONCE(*etp_param_field(p, attr)))) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * tb has been validated against etp_param_policy, so every present value is
 * in range and the update cannot fail half way.
 */
void etp_params_apply(struct etp_params *p, struct nlattr **tb)
{
	int attr;

	for (attr = 1; attr <= ETP_PARAM_MAX; attr++)
		if (tb[attr])
			WRITE_ONCE(*etp_param_field(p, attr),
				   nla_get_u32(tb[attr]));
}
