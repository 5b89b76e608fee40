// SPDX-License-Identifier: GPL-2.0
/*
 * Test hook for the timer wheel (ETP_CMD_TEST_TIMERS, CAP_NET_ADMIN in the
 * initial user namespace): arm a batch of timers with random delays on the
 * netns wheel and record how each one's firing time compares with its
 * expiry and the wheel's documented lateness bound. Lets the VM selftests
 * check the real kernel driver, not just the userspace model.
 */
#include <linux/random.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <uapi/linux/etp.h>

#include "etp.h"

struct etp_test_timer {
	struct etp_timer t;
	struct etp_timer_test *batch;
	u32 expires;
	u32 bound;		/* etp_wheel_granularity() of its delay */
};

struct etp_timer_test {
	struct etp_net *en;
	u32 count;
	atomic_t fired;
	atomic_t early;
	atomic_t late_max_ms;
	struct etp_test_timer timers[];
};

static void etp_test_timer_fire(struct etp_timer *t)
{
	struct etp_test_timer *tt = container_of(t, struct etp_test_timer, t);
	struct etp_timer_test *batch = tt->batch;
	s32 late = (s32)(etp_timer_now() - tt->expires);
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

void etp_timer_test_free(struct etp_net *en)
{
	struct etp_timer_test *batch = en->timer_test;
	u32 i;

	if (!batch)
		return;
	for (i = 0; i < batch->count; i++)
		etp_timer_cancel_sync(&en->timers, &batch->timers[i].t);
	kvfree(batch);
	en->timer_test = NULL;
}

static int etp_timer_test_start(struct etp_net *en, u32 count, u32 spread)
{
	struct etp_timer_test *batch;
	u32 i, delay;

	etp_timer_test_free(en);
	batch = kvzalloc(struct_size(batch, timers, count), GFP_KERNEL);
	if (!batch)
		return -ENOMEM;
	batch->en = en;
	batch->count = count;
	en->timer_test = batch;
	for (i = 0; i < count; i++) {
		struct etp_test_timer *tt = &batch->timers[i];

		delay = get_random_u32() % (spread + 1);
		etp_timer_init(&tt->t, etp_test_timer_fire);
		tt->batch = batch;
		tt->bound = etp_wheel_granularity(delay);
		tt->expires = etp_timer_now() + delay;
		if (!etp_timer_arm(&en->timers, &tt->t, delay))
			return -ESHUTDOWN;
	}
	return 0;
}

static int etp_timer_test_report(struct sk_buff *skb,
				 struct etp_timer_test *batch)
{
	if (!batch)
		return 0;
	return nla_put_u32(skb, ETP_A_TEST_COUNT, batch->count) ?:
	       nla_put_u32(skb, ETP_A_TEST_FIRED, atomic_read(&batch->fired)) ?:
	       nla_put_u32(skb, ETP_A_TEST_EARLY, atomic_read(&batch->early)) ?:
	       nla_put_u32(skb, ETP_A_TEST_LATE_MAX_MS,
			   max(0, atomic_read(&batch->late_max_ms)));
}

/* With COUNT and DELAY_MS: start a batch. Always: report the current one. */
int etp_nl_test_timers(struct sk_buff *unused, struct genl_info *info)
{
	struct etp_net *en = etp_pernet(genl_info_net(info));
	struct nlattr **attrs = info->attrs;
	struct sk_buff *skb;
	void *hdr;
	int err;

	if (attrs[ETP_A_TEST_COUNT]) {
		if (ETP_REQUIRE(info, ETP_A_TEST_DELAY_MS))
			return -EINVAL;
		err = etp_timer_test_start(en,
					   nla_get_u32(attrs[ETP_A_TEST_COUNT]),
					   nla_get_u32(attrs[ETP_A_TEST_DELAY_MS]));
		if (err)
			return err;
	}
	skb = etp_reply_new(info, &hdr);
	if (!skb)
		return -ENOMEM;
	return etp_reply_send(skb, hdr, info,
			      etp_timer_test_report(skb, en->timer_test));
}
