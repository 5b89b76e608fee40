// SPDX-License-Identifier: GPL-2.0
/*
 * Test hook ETP_TEST_CMD_BENCH (CAP_NET_ADMIN in the initial user
 * namespace): the TCP-mix timer workload of tools/bench/workload.h, run in
 * the kernel on the netns wheel and on one timer_list per connection, one
 * after the other in one request.
 *
 * COUNT connections each get an RTO of 200..1200 ms (d..6d ms with the
 * optional ETP_TEST_A_DELAY_MS = d) and arm it; then OPS "ACKs" each pick
 * a pseudo-random connection and push its RTO a full RTO past now. The
 * wheel side goes through the real glue, etp_ktimer_mod(): base lock, clock
 * read, hrtimer reprogramming and counters included. The other side is
 * what a kernel protocol would do without the wheel: mod_timer() on a
 * timer_list. Both sides see the same RTOs and the same ACK order, from
 * one seeded generator that costs the same on both.
 *
 * An RTO that expires just counts itself; the connection's next ACK arms
 * it again. Expiry runs in softirq, mostly on the CPU doing the ACKs, so
 * its cost is inside the timed figures of both sides, as on a real host,
 * and how many expired is reported beside them. Long RTOs (DELAY_MS) make
 * expiries rare, leaving the cost of the re-arms alone.
 *
 * Each side reports three phases, each timed with ktime_get_ns(): the
 * first arm of every timer, the ACKs (the "TCP mix"), and a synchronous
 * cancel of every timer. Below ETP_BENCH_ARM_MIN timers the arm and cancel
 * phases are then repeated (arm every timer, cancel every timer) until that
 * many of each were timed. After that the connections are freed, so nothing
 * is left armed when the request returns. A run takes about ten seconds
 * at 1e6 timers in the TCG test VM; the family runs its requests without
 * the generic netlink mutex (parallel_ops), so no other family waits, and
 * one run at a time per netns holds the netns' test lock.
 *
 * Then, to show where the wheel's time goes, the same ACKs on a private
 * wheel without the glue ("core"), and the glue's two fixed costs alone:
 * etp_ktimer_now() ("clock") and taking and releasing the base lock with
 * bottom halves off ("lock_bh").
 *
 * Reply: one ETP_TEST_A_BENCH nest per side and phase.
 * ETP_TEST_A_BENCH_IMPL is "wheel" or "timer_list" for the TCP mix, with _OPS = ACKs, _NS and
 * _FIRED; "wheel:arm", "timer_list:arm", "wheel:cancel" and
 * "timer_list:cancel" carry _OPS = the arms (or cancels) timed and _NS;
 * "core" (with _FIRED), "clock" and "lock_bh" carry _OPS = ACKs.
 */
#include <linux/atomic.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <net/genetlink.h>

#include "../main.h"
#include "../netlink.h"
#include "etp_test.h"
#include "test.h"

#define ETP_BENCH_RTO_MIN_MS	200		/* RTOs of 200..1200 ms */
#define ETP_BENCH_RESCHED	1024		/* operations per cond_resched() */
#define ETP_BENCH_SEED		0x9e3779b97f4a7c15ULL
/*
 * Arms and cancels timed at least this many times: below it the arm and
 * cancel phases are repeated, so that 1000 timers are not a quarter of a
 * millisecond of TCG time, all noise.
 */
#define ETP_BENCH_ARM_MIN	100000

static struct netlink_range_validation etp_bench_count_range = {
	.min = 1,
	.max = 1000000,
};

static struct netlink_range_validation etp_bench_ops_range = {
	.min = 1,
	.max = 10000000,
};

static struct netlink_range_validation etp_bench_rto_range = {
	.min = 1,
	.max = 600000,
};

const struct nla_policy etp_test_bench_policy[ETP_TEST_A_MAX + 1] = {
	[ETP_TEST_A_COUNT] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &etp_bench_count_range),
	[ETP_TEST_A_OPS] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &etp_bench_ops_range),
	[ETP_TEST_A_DELAY_MS] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &etp_bench_rto_range),
};

/* What to run: COUNT connections, OPS ACKs, RTOs of rto_min..6 rto_min ms */
struct etp_bench_cfg {
	u32 count;
	u32 ops;
	u32 rto_min;
};

/* One side's figures, in ns for the whole phase. */
struct etp_bench_res {
	u64 arm_ns;		/* rounds x COUNT arms, none pending */
	u64 mix_ns;		/* OPS ACKs */
	u64 cancel_ns;		/* rounds x COUNT synchronous cancels */
	u64 fired;		/* expiries during the arms and the ACKs */
};

/* Rounds of the arm and cancel phases: the first, around the ACKs, and more. */
static u32 etp_bench_rounds(u32 count)
{
	return DIV_ROUND_UP(ETP_BENCH_ARM_MIN, count);
}

/* A connection as each side sees it: its RTO timer and what that needs. */
struct etp_bench_wconn {
	struct etp_timer t;
	atomic64_t *fired;
	u32 rto_ms;
};

struct etp_bench_tconn {
	struct timer_list t;
	atomic64_t *fired;
	unsigned long rto;	/* jiffies */
};

/*
 * xorshift64*, uniform in [0, n): a few instructions, the same on both
 * sides, and seeded so that both draw the same RTOs and ACKs.
 */
static u32 etp_bench_below(u64 *s, u32 n)
{
	u64 x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return (u32)(((x * 0x2545f4914f6cdd1dULL) >> 32) * n >> 32);
}

static u32 etp_bench_rto_ms(const struct etp_bench_cfg *cfg, u64 *s)
{
	return cfg->rto_min + etp_bench_below(s, 5 * cfg->rto_min + 1);
}

static void etp_bench_resched(u32 i)
{
	if (!(i & (ETP_BENCH_RESCHED - 1)))
		cond_resched();
}

/* ---- the wheel, through the per-netns glue ------------------------------ */

static void etp_bench_wheel_fire(struct etp_timer *t)
{
	struct etp_bench_wconn *c = container_of(t, struct etp_bench_wconn, t);

	atomic64_inc(c->fired);
}

/* COUNT wheel connections with their RTOs drawn from rng; NULL if no memory. */
static struct etp_bench_wconn *etp_bench_wconns(const struct etp_bench_cfg *cfg,
						u64 *rng, atomic64_t *fired)
{
	struct etp_bench_wconn *c;
	u32 i;

	c = kvcalloc(cfg->count, sizeof(*c), GFP_KERNEL);
	if (!c)
		return NULL;
	for (i = 0; i < cfg->count; i++) {
		etp_timer_init(&c[i].t, etp_bench_wheel_fire);
		c[i].fired = fired;
		c[i].rto_ms = etp_bench_rto_ms(cfg, rng);
	}
	return c;
}

static int etp_bench_wheel_arm(struct etp_ktimers *base,
			       struct etp_bench_wconn *c, u32 count,
			       struct etp_bench_res *r)
{
	u64 t0 = ktime_get_ns();
	u32 i;

	for (i = 0; i < count; i++) {
		if (etp_ktimer_mod(base, &c[i].t, c[i].rto_ms) < 0)
			return -ESHUTDOWN;
		etp_bench_resched(i);
	}
	r->arm_ns += ktime_get_ns() - t0;
	return 0;
}

static void etp_bench_wheel_cancel(struct etp_ktimers *base,
				   struct etp_bench_wconn *c, u32 count,
				   struct etp_bench_res *r)
{
	u64 t0 = ktime_get_ns();
	u32 i;

	for (i = 0; i < count; i++) {
		etp_ktimer_cancel_sync(base, &c[i].t);
		etp_bench_resched(i);
	}
	r->cancel_ns += ktime_get_ns() - t0;
}

static int etp_bench_wheel(struct etp_ktimers *base,
			   const struct etp_bench_cfg *cfg,
			   struct etp_bench_res *r)
{
	u32 count = cfg->count, ops = cfg->ops;
	atomic64_t fired = ATOMIC64_INIT(0);
	u64 rng = ETP_BENCH_SEED, t0;
	struct etp_bench_wconn *c;
	int err = 0;
	u32 i;

	c = etp_bench_wconns(cfg, &rng, &fired);
	if (!c)
		return -ENOMEM;

	err = etp_bench_wheel_arm(base, c, count, r);
	if (err)
		goto cancel;

	t0 = ktime_get_ns();
	for (i = 0; i < ops; i++) {
		struct etp_bench_wconn *a = &c[etp_bench_below(&rng, count)];

		if (etp_ktimer_mod(base, &a->t, a->rto_ms) < 0) {
			err = -ESHUTDOWN;
			goto cancel;
		}
		etp_bench_resched(i);
	}
	r->mix_ns = ktime_get_ns() - t0;
	r->fired = atomic64_read(&fired);

cancel:
	/* No callback arms anything, so after this none runs or will run. */
	etp_bench_wheel_cancel(base, c, count, r);
	for (i = 1; !err && i < etp_bench_rounds(count); i++) {
		err = etp_bench_wheel_arm(base, c, count, r);
		etp_bench_wheel_cancel(base, c, count, r);
	}
	kvfree(c);
	return err;
}

/* ---- one timer_list per connection -------------------------------------- */

static void etp_bench_tl_fire(struct timer_list *t)
{
	struct etp_bench_tconn *c = from_timer(c, t, t);

	atomic64_inc(c->fired);
}

static void etp_bench_tl_arm(struct etp_bench_tconn *c, u32 count,
			     struct etp_bench_res *r)
{
	u64 t0 = ktime_get_ns();
	u32 i;

	for (i = 0; i < count; i++) {
		mod_timer(&c[i].t, jiffies + c[i].rto);
		etp_bench_resched(i);
	}
	r->arm_ns += ktime_get_ns() - t0;
}

static void etp_bench_tl_cancel(struct etp_bench_tconn *c, u32 count,
				struct etp_bench_res *r)
{
	u64 t0 = ktime_get_ns();
	u32 i;

	for (i = 0; i < count; i++) {
		timer_delete_sync(&c[i].t);
		etp_bench_resched(i);
	}
	r->cancel_ns += ktime_get_ns() - t0;
}

static int etp_bench_timer_list(const struct etp_bench_cfg *cfg,
				struct etp_bench_res *r)
{
	u32 count = cfg->count, ops = cfg->ops;
	atomic64_t fired = ATOMIC64_INIT(0);
	u64 rng = ETP_BENCH_SEED, t0;
	struct etp_bench_tconn *c;
	u32 i;

	c = kvcalloc(count, sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	for (i = 0; i < count; i++) {
		timer_setup(&c[i].t, etp_bench_tl_fire, 0);
		c[i].fired = &fired;
		c[i].rto = msecs_to_jiffies(etp_bench_rto_ms(cfg, &rng));
	}

	etp_bench_tl_arm(c, count, r);

	t0 = ktime_get_ns();
	for (i = 0; i < ops; i++) {
		struct etp_bench_tconn *a = &c[etp_bench_below(&rng, count)];

		mod_timer(&a->t, jiffies + a->rto);
		etp_bench_resched(i);
	}
	r->mix_ns = ktime_get_ns() - t0;
	r->fired = atomic64_read(&fired);

	etp_bench_tl_cancel(c, count, r);
	for (i = 1; i < etp_bench_rounds(count); i++) {
		etp_bench_tl_arm(c, count, r);
		etp_bench_tl_cancel(c, count, r);
	}
	kvfree(c);
	return 0;
}

/* ---- where the glue's time goes ----------------------------------------- */

/*
 * The same ACKs on a private wheel with no lock, hrtimer or counters, the
 * clock read and an advance per ACK: what the glue costs on top of this is
 * the difference from the "wheel" figure.
 */
static int etp_bench_core(const struct etp_bench_cfg *cfg,
			  struct etp_bench_res *r)
{
	u32 count = cfg->count, ops = cfg->ops;
	atomic64_t fired = ATOMIC64_INIT(0);
	u64 rng = ETP_BENCH_SEED, t0;
	struct etp_wheel_slot *slots;
	struct etp_bench_wconn *c;
	struct etp_wheel *w;
	u32 i, now;

	w = kmalloc(sizeof(*w), GFP_KERNEL);
	slots = kvmalloc(ETP_WHEEL_SLOTS_SIZE, GFP_KERNEL);
	c = etp_bench_wconns(cfg, &rng, &fired);
	if (!w || !slots || !c) {
		kfree(w);
		kvfree(slots);
		kvfree(c);
		return -ENOMEM;
	}
	now = etp_ktimer_now();
	etp_wheel_init(w, now, slots);
	for (i = 0; i < count; i++)
		etp_wheel_arm(w, &c[i].t, now + c[i].rto_ms);

	t0 = ktime_get_ns();
	for (i = 0; i < ops; i++) {
		struct etp_bench_wconn *a = &c[etp_bench_below(&rng, count)];

		now = etp_ktimer_now();
		etp_wheel_advance(w, now);
		etp_wheel_arm(w, &a->t, now + a->rto_ms);
		etp_bench_resched(i);
	}
	r->mix_ns = ktime_get_ns() - t0;
	r->fired = atomic64_read(&fired);

	for (i = 0; i < count; i++)
		etp_wheel_cancel(w, &c[i].t);
	kvfree(c);
	kvfree(slots);
	kfree(w);
	return 0;
}

/* The glue's fixed costs per arm: the clock read and the bh-safe lock. */
static void etp_bench_fixed(struct etp_ktimers *base, u32 ops,
			    u64 *clock_ns, u64 *lock_ns)
{
	u64 t0;
	u32 i;

	/* etp_ktimer_now() is out of line in timer.c: each call is kept. */
	t0 = ktime_get_ns();
	for (i = 0; i < ops; i++) {
		etp_ktimer_now();
		etp_bench_resched(i);
	}
	*clock_ns = ktime_get_ns() - t0;

	t0 = ktime_get_ns();
	for (i = 0; i < ops; i++) {
		spin_lock_bh(&base->lock);
		spin_unlock_bh(&base->lock);
		etp_bench_resched(i);
	}
	*lock_ns = ktime_get_ns() - t0;
}

/* ---- netlink ------------------------------------------------------------ */

/* Everything one request measured. */
struct etp_bench_all {
	struct etp_bench_res wheel, tl, core;
	u64 clock_ns, lock_ns;
};

static int etp_bench_fill(struct sk_buff *skb, u32 count, u32 ops,
			  const struct etp_bench_all *a)
{
	const struct etp_bench_res *w = &a->wheel, *tl = &a->tl;
	u64 arms = (u64)count * etp_bench_rounds(count);

	return etp_test_put_result(skb, "wheel", ops, w->mix_ns, &w->fired) ?:
	       etp_test_put_result(skb, "timer_list", ops, tl->mix_ns,
				   &tl->fired) ?:
	       etp_test_put_result(skb, "wheel:arm", arms, w->arm_ns, NULL) ?:
	       etp_test_put_result(skb, "timer_list:arm", arms, tl->arm_ns,
				   NULL) ?:
	       etp_test_put_result(skb, "wheel:cancel", arms, w->cancel_ns,
				   NULL) ?:
	       etp_test_put_result(skb, "timer_list:cancel", arms,
				   tl->cancel_ns, NULL) ?:
	       etp_test_put_result(skb, "core", ops, a->core.mix_ns,
				   &a->core.fired) ?:
	       etp_test_put_result(skb, "clock", ops, a->clock_ns, NULL) ?:
	       etp_test_put_result(skb, "lock_bh", ops, a->lock_ns, NULL);
}

int etp_test_bench(struct sk_buff *unused, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct etp_test_net *tn = etp_test_pernet(net);
	struct etp_ktimers *base = &etp_pernet(net)->timers;
	struct etp_bench_all all = {};
	struct etp_bench_cfg cfg;
	struct sk_buff *skb;
	void *hdr;
	int err;

	if (ETP_REQUIRE(info, ETP_TEST_A_COUNT) ||
	    ETP_REQUIRE(info, ETP_TEST_A_OPS))
		return -EINVAL;
	cfg.count = nla_get_u32(info->attrs[ETP_TEST_A_COUNT]);
	cfg.ops = nla_get_u32(info->attrs[ETP_TEST_A_OPS]);
	cfg.rto_min = ETP_BENCH_RTO_MIN_MS;
	if (info->attrs[ETP_TEST_A_DELAY_MS])
		cfg.rto_min = nla_get_u32(info->attrs[ETP_TEST_A_DELAY_MS]);

	if (!mutex_trylock(&tn->lock)) {
		NL_SET_ERR_MSG(info->extack,
			       "another test hook is running in this netns");
		return -EBUSY;
	}
	err = etp_bench_wheel(base, &cfg, &all.wheel);
	if (!err)
		err = etp_bench_timer_list(&cfg, &all.tl);
	if (!err)
		err = etp_bench_core(&cfg, &all.core);
	if (!err)
		etp_bench_fixed(base, cfg.ops, &all.clock_ns, &all.lock_ns);
	mutex_unlock(&tn->lock);
	if (err == -ENOMEM)
		NL_SET_ERR_MSG(info->extack, "no memory for that many timers");
	else if (err == -ESHUTDOWN)
		NL_SET_ERR_MSG(info->extack, "netns timers are shutting down");
	if (err)
		return err;

	skb = etp_test_reply_new(info, &hdr);
	if (!skb)
		return -ENOMEM;
	return etp_nl_reply_send(skb, hdr, info,
				 etp_bench_fill(skb, cfg.count, cfg.ops, &all));
}
