// SPDX-License-Identifier: GPL-2.0
/*
 * The "etp" generic netlink family. Every op has its own strict policy, so
 * an attribute an op does not expect is an error rather than ignored, and
 * every op that changes state requires CAP_NET_ADMIN in the netns' user
 * namespace.
 */
#include <net/genetlink.h>
#include <uapi/linux/etp.h>

#include "etp.h"
#include "params.h"

static struct genl_family etp_genl_family;

/* Ops that take no attributes still get a policy: strict mode rejects any. */
static const struct nla_policy etp_none_policy[ETP_A_MAX + 1] = {};

static const struct nla_policy etp_param_set_policy[ETP_A_MAX + 1] = {
	[ETP_A_PARAMS] = NLA_POLICY_NESTED(etp_param_policy),
};

ETP_RANGE(etp_range_test_count, 1, 100000);
ETP_RANGE(etp_range_test_delay, 0, 600000);

static const struct nla_policy etp_test_timers_policy[ETP_A_MAX + 1] = {
	[ETP_A_TEST_COUNT] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &etp_range_test_count),
	[ETP_A_TEST_DELAY_MS] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &etp_range_test_delay),
};

struct sk_buff *etp_reply_new(struct genl_info *info, void **hdr)
{
	struct sk_buff *skb;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return NULL;
	*hdr = genlmsg_put_reply(skb, info, &etp_genl_family, 0,
				 info->genlhdr->cmd);
	if (!*hdr) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

int etp_reply_send(struct sk_buff *skb, void *hdr, struct genl_info *info,
		   int err)
{
	if (err) {
		nlmsg_free(skb);
		return err;
	}
	genlmsg_end(skb, hdr);
	return genlmsg_reply(skb, info);
}

static int etp_nl_info(struct sk_buff *unused, struct genl_info *info)
{
	struct etp_net *en = etp_pernet(genl_info_net(info));
	struct sk_buff *skb;
	void *hdr;
	int err;

	skb = etp_reply_new(info, &hdr);
	if (!skb)
		return -ENOMEM;
	err = nla_put_string(skb, ETP_A_VERSION, ETP_VERSION_STR) ?:
	      nla_put_u8(skb, ETP_A_PROTOCOL, etp_proto) ?:
	      etp_params_fill(skb, &en->params);
	return etp_reply_send(skb, hdr, info, err);
}

static int etp_put_stat(struct sk_buff *skb, const char *name, u64 value)
{
	struct nlattr *nest;

	nest = nla_nest_start(skb, ETP_A_STAT);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_string(skb, ETP_A_STAT_NAME, name) ||
	    nla_put_u64_64bit(skb, ETP_A_STAT_VALUE, value, ETP_A_STAT_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int etp_put_stats(struct sk_buff *skb, const struct etp_net *en)
{
	struct nlattr *nest;
	int i;

	nest = nla_nest_start(skb, ETP_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < ETP_MIB_MAX; i++) {
		/* A counter added without a name is a bug, not a crash. */
		if (WARN_ON_ONCE(!etp_mib_names[i]))
			continue;
		if (etp_put_stat(skb, etp_mib_names[i],
				 etp_mib_read(en, i))) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int etp_nl_stats(struct sk_buff *unused, struct genl_info *info)
{
	struct etp_net *en = etp_pernet(genl_info_net(info));
	struct sk_buff *skb;
	void *hdr;

	skb = etp_reply_new(info, &hdr);
	if (!skb)
		return -ENOMEM;
	return etp_reply_send(skb, hdr, info, etp_put_stats(skb, en));
}

static int etp_nl_param_get(struct sk_buff *unused, struct genl_info *info)
{
	struct etp_net *en = etp_pernet(genl_info_net(info));
	struct sk_buff *skb;
	void *hdr;

	skb = etp_reply_new(info, &hdr);
	if (!skb)
		return -ENOMEM;
	return etp_reply_send(skb, hdr, info,
			      etp_params_fill(skb, &en->params));
}

static int etp_nl_param_set(struct sk_buff *unused, struct genl_info *info)
{
	struct etp_net *en = etp_pernet(genl_info_net(info));
	struct nlattr *tb[ETP_PARAM_MAX + 1];
	int err;

	if (ETP_REQUIRE(info, ETP_A_PARAMS))
		return -EINVAL;
	err = nla_parse_nested(tb, ETP_PARAM_MAX, info->attrs[ETP_A_PARAMS],
			       etp_param_policy, info->extack);
	if (err)
		return err;
	etp_params_apply(&en->params, tb);
	return 0;
}

static const struct genl_ops etp_genl_ops[] = {
	{
		.cmd	= ETP_CMD_INFO,
		.doit	= etp_nl_info,
		.policy	= etp_none_policy,
		.maxattr = ETP_A_MAX,
	},
	{
		.cmd	= ETP_CMD_STATS_GET,
		.doit	= etp_nl_stats,
		.policy	= etp_none_policy,
		.maxattr = ETP_A_MAX,
	},
	{
		.cmd	= ETP_CMD_PARAM_GET,
		.doit	= etp_nl_param_get,
		.policy	= etp_none_policy,
		.maxattr = ETP_A_MAX,
	},
	{
		.cmd	= ETP_CMD_PARAM_SET,
		.doit	= etp_nl_param_set,
		.policy	= etp_param_set_policy,
		.maxattr = ETP_A_MAX,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= ETP_CMD_TEST_TIMERS,
		.doit	= etp_nl_test_timers,
		.policy	= etp_test_timers_policy,
		.maxattr = ETP_A_MAX,
		.flags	= GENL_ADMIN_PERM,
	},
};

static const struct genl_multicast_group etp_mcgrps[] = {
	{ .name = ETP_MCGRP_STATE },
};

static struct genl_family etp_genl_family __ro_after_init = {
	.name		= ETP_GENL_NAME,
	.version	= ETP_GENL_VERSION,
	.netnsok	= true,
	.module		= THIS_MODULE,
	.ops		= etp_genl_ops,
	.n_ops		= ARRAY_SIZE(etp_genl_ops),
	.resv_start_op	= 0,
	.mcgrps		= etp_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(etp_mcgrps),
};

int __init etp_genl_init(void)
{
	return genl_register_family(&etp_genl_family);
}

void etp_genl_exit(void)
{
	genl_unregister_family(&etp_genl_family);
}
