// SPDX-License-Identifier: GPL-2.0
/*
 * ETP_TEST_CMD_TIMERS: arm a batch of timers with random delays on the
 * netns wheel and record how each one's firing time compares with its
 * expiry and the wheel's documented lateness bound. Lets the VM selftests
 * check the real kernel driver, not just the userspace model.
 */
#include <linux/random.h>
#include <linux/slab.h>
#include <net/genetlink.h>

#include "../main.h"
#include "../netlink.h"
#include "etp_test.h"
#include "test.h"

struct etp_test_timer {
	struct etp_timer t;
	struct etp_timer_test *batch;
	u32 expires;
	u32 bound;		/* etp_wheel_granularity() of its delay */
};

struct etp_timer_test {
	u32 count;
	atomic_t fired;
	atomic_t early;
	atomic_t late_max_ms;
	struct etp_test_timer timers[];
};

static struct netlink_range_validation etp_test_count_range = {
	.min = 1, .max = 100000,
};

static struct netlink_range_validation etp_test_delay_range = {
	.min = 0, .max = 600000,
};

const struct nla_policy etp_test_timers_policy[ETP_TEST_A_MAX + 1] = {
	[ETP_TEST_A_COUNT] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &etp_test_count_range),
	[ETP_TEST_A_DELAY_MS] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &etp_test_delay_range),
};

static void etp_test_timer_fire(struct etp_timer *t)
{
	struct etp_test_timer *tt = container_of(t, struct etp_test_timer, t);
	struct etp_timer_test *batch = tt->batch;
	s32 late = (s32)(etp_ktimer_now() - tt->expires);
	int over, old;

	if (late < 0)
		atomic_inc(&batch->early);
	over = late - (s32)tt->bound;
	old = atomic_read(&batch->late_max_ms);
	while (over > old &&
	       !atomic_try_cmpxchg(&batch->late_max_ms, &old, over))
		;
	atomic_inc(&batch->fired);
}

/* Under tn->lock. */
void etp_test_timers_free(struct net *net, struct etp_test_net *tn)
{
	struct etp_timer_test *batch = tn->timers;
	struct etp_ktimers *base = &etp_pernet(net)->timers;
	u32 i;

	if (!batch)
		return;
	for (i = 0; i < batch->count; i++)
		etp_ktimer_cancel_sync(base, &batch->timers[i].t);
	kvfree(batch);
	tn->timers = NULL;
}

static int etp_test_timers_start(struct net *net, struct etp_test_net *tn,
				 u32 count, u32 spread)
{
	struct etp_ktimers *base = &etp_pernet(net)->timers;
	struct etp_timer_test *batch;
	u32 i, delay;

	etp_test_timers_free(net, tn);
	batch = kvzalloc(struct_size(batch, timers, count), GFP_KERNEL);
	if (!batch)
		return -ENOMEM;
	batch->count = count;
	tn->timers = batch;
	for (i = 0; i < count; i++) {
		struct etp_test_timer *tt = &batch->timers[i];

		delay = get_random_u32() % (spread + 1);
		etp_timer_init(&tt->t, etp_test_timer_fire);
		tt->batch = batch;
		tt->bound = etp_wheel_granularity(delay);
		tt->expires = etp_ktimer_now() + delay;
		if (etp_ktimer_mod(base, &tt->t, delay) < 0)
			return -ESHUTDOWN;
	}
	return 0;
}

static int etp_test_timers_report(struct sk_buff *skb,
				  struct etp_timer_test *batch)
{
	if (!batch)
		return 0;
	return nla_put_u32(skb, ETP_TEST_A_COUNT, batch->count) ?:
	       nla_put_u32(skb, ETP_TEST_A_FIRED, atomic_read(&batch->fired)) ?:
	       nla_put_u32(skb, ETP_TEST_A_EARLY, atomic_read(&batch->early)) ?:
	       nla_put_u32(skb, ETP_TEST_A_LATE_MAX_MS,
			   max(0, atomic_read(&batch->late_max_ms)));
}

/* With COUNT and DELAY_MS: start a batch. Always: report the current one. */
int etp_test_timers(struct sk_buff *unused, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct etp_test_net *tn = etp_test_pernet(net);
	struct nlattr **attrs = info->attrs;
	struct sk_buff *skb;
	void *hdr;
	int err = 0;

	if (attrs[ETP_TEST_A_COUNT] && !attrs[ETP_TEST_A_DELAY_MS]) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[ETP_TEST_A_COUNT],
				    "ETP_TEST_A_COUNT needs ETP_TEST_A_DELAY_MS");
		return -EINVAL;
	}
	skb = etp_test_reply_new(info, &hdr);
	if (!skb)
		return -ENOMEM;
	mutex_lock(&tn->lock);
	if (attrs[ETP_TEST_A_COUNT])
		err = etp_test_timers_start(net, tn,
					    nla_get_u32(attrs[ETP_TEST_A_COUNT]),
					    nla_get_u32(attrs[ETP_TEST_A_DELAY_MS]));
	if (!err)
		err = etp_test_timers_report(skb, tn->timers);
	mutex_unlock(&tn->lock);
	return etp_nl_reply_send(skb, hdr, info, err);
}
