// SPDX-License-Identifier: GPL-2.0
/*
 * The "etp_test" generic netlink family and the per-netns state of the test
 * hooks. parallel_ops: a benchmark runs for seconds, and must not hold the
 * generic netlink mutex that every other family in the system waits on.
 * Only CAP_NET_ADMIN in the initial user namespace may call these.
 */
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "../netlink.h"
#include "etp_test.h"
#include "test.h"

static unsigned int etp_test_net_id __read_mostly;
static struct genl_family etp_test_family;

struct etp_test_net *etp_test_pernet(const struct net *net)
{
	return net_generic(net, etp_test_net_id);
}

struct sk_buff *etp_test_reply_new(struct genl_info *info, void **hdr)
{
	return etp_nl_reply_new(&etp_test_family, info, hdr);
}

int etp_test_put_result(struct sk_buff *skb, const char *impl, u64 ops,
			u64 ns, const u64 *fired)
{
	struct nlattr *nest;

	nest = nla_nest_start(skb, ETP_TEST_A_BENCH);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_string(skb, ETP_TEST_A_BENCH_IMPL, impl) ||
	    nla_put_u64_64bit(skb, ETP_TEST_A_BENCH_OPS, ops,
			      ETP_TEST_A_BENCH_PAD) ||
	    nla_put_u64_64bit(skb, ETP_TEST_A_BENCH_NS, ns,
			      ETP_TEST_A_BENCH_PAD) ||
	    (fired && nla_put_u64_64bit(skb, ETP_TEST_A_BENCH_FIRED, *fired,
					ETP_TEST_A_BENCH_PAD))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static const struct genl_ops etp_test_ops[] = {
	{
		.cmd	= ETP_TEST_CMD_TIMERS,
		.doit	= etp_test_timers,
		.policy	= etp_test_timers_policy,
		.maxattr = ETP_TEST_A_MAX,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= ETP_TEST_CMD_BENCH,
		.doit	= etp_test_bench,
		.policy	= etp_test_bench_policy,
		.maxattr = ETP_TEST_A_MAX,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= ETP_TEST_CMD_EXCHANGE,
		.doit	= etp_test_exchange,
		.policy	= etp_test_exchange_policy,
		.maxattr = ETP_TEST_A_MAX,
		.flags	= GENL_ADMIN_PERM,
	},
};

static struct genl_family etp_test_family __ro_after_init = {
	.name		= ETP_TEST_GENL_NAME,
	.version	= ETP_TEST_GENL_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= etp_test_ops,
	.n_ops		= ARRAY_SIZE(etp_test_ops),
	.resv_start_op	= 0,
};

static int __net_init etp_test_net_init(struct net *net)
{
	mutex_init(&etp_test_pernet(net)->lock);
	return 0;
}

/* Runs before etp's own netns exit (registered after it): wheel still up. */
static void __net_exit etp_test_net_exit(struct net *net)
{
	struct etp_test_net *tn = etp_test_pernet(net);

	mutex_lock(&tn->lock);
	etp_test_timers_free(net, tn);
	mutex_unlock(&tn->lock);
}

static struct pernet_operations etp_test_net_ops = {
	.init	= etp_test_net_init,
	.exit	= etp_test_net_exit,
	.id	= &etp_test_net_id,
	.size	= sizeof(struct etp_test_net),
};

int __init etp_test_init(void)
{
	int err;

	err = register_pernet_subsys(&etp_test_net_ops);
	if (err)
		return err;
	err = genl_register_family(&etp_test_family);
	if (err)
		unregister_pernet_subsys(&etp_test_net_ops);
	return err;
}

/* Unregistering the family waits for requests in flight. */
void etp_test_exit(void)
{
	genl_unregister_family(&etp_test_family);
	unregister_pernet_subsys(&etp_test_net_ops);
}
