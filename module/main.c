// SPDX-License-Identifier: GPL-2.0
/*
 * etp.ko: registration and teardown.
 *
 * Order matters in both directions. The protocol handler is global (it runs
 * for every netns) so it is registered last, once per-netns state and the
 * netlink family exist, and removed first: inet_del_protocol() waits for
 * in-flight receivers with synchronize_net() before anything they could
 * touch goes away.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <net/genetlink.h>
#include <net/protocol.h>
#include <uapi/linux/etp.h>

#include "conn.h"
#include "input.h"
#include "main.h"
#include "netlink.h"
#include "test/test.h"

unsigned int etp_net_id __read_mostly;
u8 etp_proto __read_mostly = ETP_PROTO_DEFAULT;

/* Refuse at insmod time anything but the two RFC 3692 experimental numbers. */
static int etp_proto_param_set(const char *val, const struct kernel_param *kp)
{
	u8 proto;

	if (kstrtou8(val, 0, &proto) ||
	    (proto != ETP_PROTO_DEFAULT && proto != ETP_PROTO_ALT)) {
		pr_err("proto=%s refused: only %u or %u (RFC 3692 experimental numbers) are allowed\n",
		       val, ETP_PROTO_DEFAULT, ETP_PROTO_ALT);
		return -EINVAL;
	}
	*(u8 *)kp->arg = proto;
	return 0;
}

static const struct kernel_param_ops etp_proto_param_ops = {
	.set = etp_proto_param_set,
	.get = param_get_byte,
};

module_param_cb(proto, &etp_proto_param_ops, &etp_proto, 0444);
MODULE_PARM_DESC(proto, "IP protocol number: 253 (default) or 254");

/* A consistent-enough snapshot: each field is read once. */
void etp_params_read(struct etp_net *en, struct etp_params *p)
{
	unsigned int attr;

	for (attr = 1; attr <= ETP_PARAM_MAX; attr++)
		*etp_param_field(p, attr) =
			READ_ONCE(*etp_param_field(&en->params, attr));
}

static u64 etp_clock_us(void)
{
	return div_u64(ktime_get_ns(), NSEC_PER_USEC);
}

/*
 * What the state machine sees of an event: the parameters and the time,
 * from jiffies (keepalive, rate limits: a jiffy is fine, and free), with
 * the clocksource for timing round trips (struct etp_ev).
 */
void etp_ev_init(struct etp_net *en, struct etp_ev *ev, struct etp_params *p)
{
	etp_params_read(en, p);
	ev->p = p;
	ev->now_us = (u64)jiffies64_to_msecs(get_jiffies_64()) * USEC_PER_MSEC;
	ev->precise_us = etp_clock_us;
}

static const struct net_protocol etp_protocol = {
	.handler	= etp_rcv,
	.err_handler	= etp_err,
	.no_policy	= 1,
};

static int __net_init etp_net_init(struct net *net)
{
	struct etp_net *en = etp_pernet(net);
	int err;

	en->net = net;
	/* A test build can fail each step as if it ran out (test/fail.c). */
	en->mib = etp_test_fail_net_init(ETP_TEST_FAIL_COUNTERS) ? NULL :
		  alloc_percpu(struct etp_mib_counters);
	if (!en->mib)
		return -ENOMEM;
	etp_params_default(&en->params);
	/* RFC 5961 section 7: at most 1000 challenge ACKs a second. */
	ratelimit_state_init(&en->challenge_rl, HZ, 1000);
	ratelimit_set_flags(&en->challenge_rl, RATELIMIT_MSG_ON_RELEASE);
	err = etp_test_fail_net_init(ETP_TEST_FAIL_TIMERS) ? -ENOMEM :
	      etp_ktimers_init(&en->timers);
	if (err)
		goto free_mib;
	etp_faults_init(&en->faults);
	err = etp_test_fail_net_init(ETP_TEST_FAIL_CONNS) ? -ENOMEM :
	      etp_conns_init(en);
	if (err)
		goto free_timers;
	return 0;

free_timers:
	etp_ktimers_shutdown(&en->timers);
	etp_ktimers_destroy(&en->timers);
free_mib:
	free_percpu(en->mib);
	return err;
}

/*
 * Packets from a peer namespace can still arrive until the devices go,
 * after our exit: from here on the receive path leaves this netns alone.
 * The core runs synchronize_rcu() between pre_exit and exit.
 */
static void __net_exit etp_net_pre_exit(struct net *net)
{
	WRITE_ONCE(etp_pernet(net)->dying, true);
}

static void __net_exit etp_net_exit(struct net *net)
{
	struct etp_net *en = etp_pernet(net);

	/* Stop the wheel first: after this no callback runs or re-arms. */
	etp_ktimers_shutdown(&en->timers);
	etp_conns_exit(en);
	etp_faults_exit(en);
	etp_ktimers_destroy(&en->timers);
	free_percpu(en->mib);
	en->mib = NULL;
}

static struct pernet_operations etp_net_ops = {
	.init	= etp_net_init,
	.pre_exit = etp_net_pre_exit,
	.exit	= etp_net_exit,
	.id	= &etp_net_id,
	.size	= sizeof(struct etp_net),
};

static int __init etp_init(void)
{
	int err;

	err = etp_caches_init();
	if (err)
		return err;

	err = register_pernet_subsys(&etp_net_ops);
	if (err)
		goto err_caches;

	err = etp_genl_init();
	if (err)
		goto err_pernet;

	/* Test builds only (ETP_SELFTEST=y): their own family and pernet. */
	err = etp_test_init();
	if (err)
		goto err_genl;

	if (inet_add_protocol(&etp_protocol, etp_proto) < 0) {
		pr_err("IP protocol %u is already registered by another module\n",
		       etp_proto);
		err = -EBUSY;
		goto err_test;
	}

	pr_info("loaded, version %s, IP protocol %u\n", ETP_VERSION_STR,
		etp_proto);
	return 0;

err_test:
	etp_test_exit();
err_genl:
	etp_genl_exit();
err_pernet:
	unregister_pernet_subsys(&etp_net_ops);
	rcu_barrier();
err_caches:
	etp_caches_exit();
	return err;
}

static void __exit etp_exit(void)
{
	inet_del_protocol(&etp_protocol, etp_proto);
	etp_test_exit();
	etp_genl_exit();
	unregister_pernet_subsys(&etp_net_ops);
	/* Nothing queued with call_rcu() may outlive the caches or the text. */
	rcu_barrier();
	etp_caches_exit();
	pr_info("unloaded\n");
}

module_init(etp_init);
module_exit(etp_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("etp: experimental TCP-style protocol over IP protocol 253");
MODULE_VERSION(ETP_VERSION_STR);
MODULE_ALIAS_GENL_FAMILY(ETP_GENL_NAME);
