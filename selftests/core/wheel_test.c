// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of module/core/wheel.c: randomized runs against a reference
 * model, plus the corner cases one by one. The model knows each timer's
 * expiry and the latest tick it may fire at (expiry plus the documented
 * granularity of its delay), and every fire is checked against both.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "kselftest_harness.h"
#include "wheel.h"

static inline bool before(u32 a, u32 b)
{
	return (s32)(a - b) < 0;
}

static u64 rng_next(u64 *s)
{
	u64 x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static u32 rng_below(u64 *s, u32 n)
{
	return (u32)((rng_next(s) >> 32) * n >> 32);
}

static double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Latest tick a timer armed for @expires with the clock at @clk may fire. */
static u32 latest(u32 clk, u32 expires)
{
	u32 delta = expires - clk;

	if ((s32)delta < 0)
		return clk;
	return expires + etp_wheel_granularity(delta) - 1;
}

/* ---- randomized runs against the model -------------------------------- */

#define NR_TIMERS	512

struct rtimer {
	struct etp_timer t;	/* first: the callback casts back */
	u32 expires;
	u32 latest;
	bool armed;
};

struct rctx {
	struct etp_wheel w;
	struct etp_wheel_slot slots[ETP_WHEEL_SLOTS];
	struct rtimer tt[NR_TIMERS];
	u64 seed, rng, ops, fired;
	u32 now, armed, errors;
	u32 when;		/* next_expiry reported before this advance */
	bool when_valid;
};

static struct rctx *g;

#define CHECK(cond, fmt, ...) do {					\
	if (!(cond) && g->errors++ < 5)					\
		fprintf(stderr, "# seed %#llx op %llu now %#x: " fmt "\n", \
			(unsigned long long)g->seed,			\
			(unsigned long long)g->ops, g->now, ##__VA_ARGS__); \
} while (0)

/* Delays over every level, the past, and beyond the top level. */
static u32 rand_delay(void)
{
	u32 p = rng_below(&g->rng, 1000);

	if (p < 300)
		return rng_below(&g->rng, 70);
	if (p < 550)
		return rng_below(&g->rng, 600);
	if (p < 750)
		return rng_below(&g->rng, 40000);
	if (p < 900)
		return rng_below(&g->rng, 3000000);
	if (p < 960)
		return -rng_below(&g->rng, 100);
	if (p < 990)
		return rng_below(&g->rng, 200000000);
	if (p < 995)
		return ETP_WHEEL_MAX_DELTA - 100 + rng_below(&g->rng, 200);
	/* Not quite 2^31: the model's own modular compares need slack */
	return 0x70000000 - rng_below(&g->rng, 1000000000);
}

static void model_arm(struct rtimer *r, u32 expires)
{
	u32 clk = g->w.clk;
	bool was = etp_wheel_arm(&g->w, &r->t, expires);

	CHECK(was == r->armed, "arm returned %d, model says %d", was,
	      r->armed);
	if (!r->armed)
		g->armed++;
	r->armed = true;
	r->expires = expires;
	r->latest = latest(clk, expires);
	CHECK(etp_timer_pending(&r->t), "not pending after arm");
}

static void model_cancel(struct rtimer *r)
{
	bool was = etp_wheel_cancel(&g->w, &r->t);

	CHECK(was == r->armed, "cancel returned %d, model says %d", was,
	      r->armed);
	if (r->armed)
		g->armed--;
	r->armed = false;
	CHECK(!etp_timer_pending(&r->t), "pending after cancel");
}

/*
 * What the kernel glue does without the wheel's lock: push a pending timer
 * later with a lone store to its expiry, when etp_wheel_may_defer() says
 * that keeps the bound a fresh arm would have (from now, not the wheel's
 * possibly older clock: the stricter of the two).
 */
static void model_defer(struct rtimer *r, u32 expires)
{
	if (!r->armed ||
	    !etp_wheel_may_defer(r->t.idx, r->t.expires, expires, g->now))
		return;
	r->t.expires = expires;
	r->expires = expires;
	r->latest = latest(g->now, expires);
}

static struct rtimer *rand_timer(void)
{
	return &g->tt[rng_below(&g->rng, NR_TIMERS)];
}

/* Fires are checked against the tick being processed: clk - 1. */
static void rfire(struct etp_timer *t)
{
	struct rtimer *r = (struct rtimer *)t;
	u32 tick = g->w.clk - 1;
	u32 p;

	CHECK(r->armed, "timer %ld fired while not armed",
	      (long)(r - g->tt));
	CHECK(!etp_timer_pending(t), "pending in its callback");
	CHECK(!before(tick, r->expires), "early: tick %#x expires %#x",
	      tick, r->expires);
	CHECK(!before(r->latest, tick), "late: tick %#x latest %#x",
	      tick, r->latest);
	CHECK(!before(g->now, tick), "tick %#x after now", tick);
	CHECK(g->when_valid && !before(tick, g->when),
	      "next_expiry %#x later than a fire at %#x", g->when, tick);
	if (r->armed)
		g->armed--;
	r->armed = false;
	g->fired++;

	p = rng_below(&g->rng, 100);
	if (p < 15)
		model_arm(r, g->now + rand_delay());
	else if (p < 20)
		model_arm(r, g->now - rng_below(&g->rng, 3));
	else if (p < 30)
		model_arm(rand_timer(), g->now + rand_delay());
	else if (p < 40)
		model_cancel(rand_timer());
	else if (p < 42)
		model_cancel(r);
}

static void check_model(void)
{
	u32 i;

	CHECK(etp_wheel_count(&g->w) == g->armed, "count %u, model %u",
	      etp_wheel_count(&g->w), g->armed);
	for (i = 0; i < NR_TIMERS; i++) {
		struct rtimer *r = &g->tt[i];

		CHECK(etp_timer_pending(&r->t) == r->armed,
		      "timer %u pending %d, model %d", i,
		      etp_timer_pending(&r->t), r->armed);
		CHECK(!r->armed || before(g->now, r->latest),
		      "timer %u missed: latest %#x", i, r->latest);
	}
}

static void step_to(u32 now)
{
	struct etp_timer *t;
	u32 i, min_latest = 0;
	bool any = false;

	g->now = now;
	g->when_valid = etp_wheel_next_expiry(&g->w, &g->when);
	CHECK(g->when_valid == (g->armed > 0), "next_expiry %d, %u armed",
	      g->when_valid, g->armed);
	for (i = 0; i < NR_TIMERS; i++) {
		if (!g->tt[i].armed)
			continue;
		if (!any || before(g->tt[i].latest, min_latest))
			min_latest = g->tt[i].latest;
		any = true;
	}
	CHECK(!any || !before(min_latest, g->when),
	      "next_expiry %#x after a deadline %#x", g->when, min_latest);

	if (rng_next(&g->rng) & 1) {
		etp_wheel_advance(&g->w, now);
	} else {
		while ((t = etp_wheel_pop_expired(&g->w, now)))
			t->fn(t);
	}
	check_model();
}

/* Jump exactly to the reported next expiry: nothing may be due before. */
static void step_next(void)
{
	u32 when;

	if (!etp_wheel_next_expiry(&g->w, &when))
		return;
	if (before(g->now, when - 1)) {
		CHECK(!etp_wheel_pop_expired(&g->w, when - 1),
		      "due before next_expiry %#x", when);
		g->now = when - 1;
	}
	step_to(when);
}

static void random_op(void)
{
	u32 p = rng_below(&g->rng, 100);
	struct rtimer *r = rand_timer();

	if (p < 35) {
		model_arm(r, g->now + rand_delay());
	} else if (p < 42) {
		/* Re-arm a little later: mostly the same-slot fast path */
		if (r->armed)
			model_arm(r, r->expires + rng_below(&g->rng, 4));
	} else if (p < 48) {
		model_defer(r, g->now + rand_delay());
	} else if (p < 55) {
		model_cancel(r);
	} else if (p < 80) {
		step_to(g->now + 1);
	} else if (p < 90) {
		step_next();
	} else if (p < 98) {
		step_to(g->now + rng_below(&g->rng, 5000));
	} else {
		step_to(g->now + rng_below(&g->rng, 1U << 27));
	}
}

static int random_run(u64 seed, u32 start, u64 nops)
{
	u32 i;

	g = calloc(1, sizeof(*g));
	if (!g)
		return -1;
	g->seed = seed;
	g->rng = seed | 1;
	g->now = start;
	etp_wheel_init(&g->w, start, g->slots);
	for (i = 0; i < NR_TIMERS; i++)
		etp_timer_init(&g->tt[i].t, rfire);
	fprintf(stderr, "# seed %#llx start %#x ops %llu\n",
		(unsigned long long)seed, start, (unsigned long long)nops);
	for (g->ops = 0; g->ops < nops && !g->errors; g->ops++)
		random_op();
	/* Drain: everything still armed must come out within its bound. */
	while (g->armed && !g->errors)
		step_next();
	check_model();
	fprintf(stderr, "# %llu ops, %llu fired, %u errors\n",
		(unsigned long long)g->ops, (unsigned long long)g->fired,
		g->errors);
	i = g->errors;
	free(g);
	return i;
}

TEST(random_seed_1)
{
	ASSERT_EQ(0, random_run(0x5eed0001, 0, 1500000));
}

TEST(random_seed_2_wrap)
{
	ASSERT_EQ(0, random_run(0x5eed0002, 0xffffffff - 3000, 1500000));
}

TEST(random_seed_3)
{
	ASSERT_EQ(0, random_run(0x5eed0003, 0x80000000 - 20, 1500000));
}

TEST(random_seed_4)
{
	ASSERT_EQ(0, random_run(0xdeadbeefcafe, 0x12345678, 1500000));
}

/* ---- one property at a time -------------------------------------------- */

struct ftimer {
	struct etp_timer t;
	u32 fired_at;
	u32 fires;
};

static u32 cur_now;

static void note_fire(struct etp_timer *t)
{
	struct ftimer *f = (struct ftimer *)t;

	f->fired_at = cur_now;
	f->fires++;
}

/* A wheel and its slots in one allocation: free(w) frees both. */
struct wheel_mem {
	struct etp_wheel w;	/* first */
	struct etp_wheel_slot slots[ETP_WHEEL_SLOTS];
};

static struct etp_wheel *new_wheel(u32 now)
{
	struct wheel_mem *m = malloc(sizeof(*m));

	if (!m)
		return NULL;
	etp_wheel_init(&m->w, now, m->slots);
	return &m->w;
}

TEST(granularity_table)
{
	static const u32 cases[][2] = {
		{ 0, 1 }, { 63, 1 }, { 64, 8 }, { 504, 8 }, { 505, 64 },
		{ 4032, 64 }, { 4033, 512 }, { 32256, 512 }, { 32257, 4096 },
		{ 258048, 4096 }, { 258049, 32768 }, { 2064384, 32768 },
		{ 2064385, 262144 }, { 16515072, 262144 },
		{ 16515073, 2097152 }, { ETP_WHEEL_MAX_DELTA, 2097152 },
		{ 0x7fffffff, 2097152 },
	};
	u32 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		EXPECT_EQ(cases[i][1], etp_wheel_granularity(cases[i][0]));
	EXPECT_EQ(132120576U, ETP_WHEEL_MAX_DELTA);
}

/* Every delay 0..5000 from a clock just below the wrap, tick by tick. */
TEST(wraparound_tick_by_tick)
{
	u32 start = 0xffffffff - 2500, n = 5001, i;
	struct ftimer *f = calloc(n, sizeof(*f));
	struct etp_wheel *w = new_wheel(start);

	ASSERT_TRUE(f && w);
	for (i = 0; i < n; i++) {
		etp_timer_init(&f[i].t, note_fire);
		etp_wheel_arm(w, &f[i].t, start + i);
	}
	for (cur_now = start; cur_now != start + 5000 + 512; cur_now++)
		etp_wheel_advance(w, cur_now);
	for (i = 0; i < n; i++) {
		ASSERT_EQ(1U, f[i].fires);
		ASSERT_FALSE(before(f[i].fired_at, start + i));
		ASSERT_TRUE(f[i].fired_at - (start + i) <
			    etp_wheel_granularity(i));
	}
	EXPECT_EQ(0U, etp_wheel_count(w));
	free(f);
	free(w);
}

/* Past the top level: filed at the limit, filed again, never early. */
TEST(clamp_huge_delays)
{
	static const u32 delays[] = {
		ETP_WHEEL_MAX_DELTA, ETP_WHEEL_MAX_DELTA + 1,
		ETP_WHEEL_MAX_DELTA + 12345, 3 * ETP_WHEEL_MAX_DELTA + 7,
		0x7fffffff,
	};
	u32 n = sizeof(delays) / sizeof(delays[0]), i, when, steps = 0;
	struct ftimer f[5] = {};
	struct etp_wheel *w = new_wheel(0xfffff000);

	ASSERT_NE(NULL, w);
	for (i = 0; i < n; i++) {
		etp_timer_init(&f[i].t, note_fire);
		etp_wheel_arm(w, &f[i].t, 0xfffff000 + delays[i]);
	}
	cur_now = 0xfffff000;
	while (etp_wheel_next_expiry(w, &when)) {
		ASSERT_FALSE(before(when, cur_now));
		cur_now = when;
		etp_wheel_advance(w, cur_now);
		ASSERT_LT(++steps, 100U);
	}
	for (i = 0; i < n; i++) {
		u32 e = 0xfffff000 + delays[i];

		ASSERT_EQ(1U, f[i].fires);
		ASSERT_FALSE(before(f[i].fired_at, e));
		ASSERT_LT(f[i].fired_at - e, ETP_WHEEL_MAX_GRAN);
	}
	TH_LOG("%u wakeups for %u timers up to 2^31 ticks out", steps, n);
	free(w);
}

/* ---- each timer exactly once, against a sorted reference ----------------- */

#define ONCE_TIMERS	200000U

struct otimer {
	struct etp_timer t;	/* first: the callback casts back */
	u32 expires;
	u32 latest;		/* deadline: expires + granularity - 1 */
	u32 fires;
};

static struct etp_wheel *once_w;
static u32 once_now, once_bad, once_start;

static void once_fire(struct etp_timer *t)
{
	struct otimer *o = (struct otimer *)t;
	u32 tick = once_w->clk - 1;

	o->fires++;
	if (o->fires != 1 || before(tick, o->expires) ||
	    before(o->latest, tick) || before(once_now, tick)) {
		if (once_bad++ < 5)
			fprintf(stderr, "# tick %#x now %#x: expires %#x latest %#x fires %u\n",
				tick, once_now, o->expires, o->latest,
				o->fires);
	}
}

static const struct otimer *once_timers;

/* Deadlines all lie within 2^31 of the start: compare them from there. */
static int by_deadline(const void *a, const void *b)
{
	u32 x = once_timers[*(const u32 *)a].latest - once_start;
	u32 y = once_timers[*(const u32 *)b].latest - once_start;

	return (x > y) - (x < y);
}

/*
 * 200,000 timers armed once, over every level, the past and the clamp
 * beyond the top level, then the clock driven in random steps (single
 * ticks, short and long jumps, straight to the reported next expiry) until
 * the wheel is empty. The reference is the list of timers sorted by
 * deadline: after each step every timer whose deadline is at or before
 * now must have fired. Each fires exactly once, never early, never after
 * its deadline, never after now.
 */
static void every_timer_once(struct __test_metadata *_metadata, u64 seed,
			     u32 start)
{
	struct otimer *o = calloc(ONCE_TIMERS, sizeof(*o));
	u32 *order = calloc(ONCE_TIMERS, sizeof(*order));
	u32 i, cursor = 0, when, fired = 0, steps = 0;
	u64 rng = seed | 1;

	once_w = new_wheel(start);
	ASSERT_TRUE(o && order && once_w);
	once_timers = o;
	once_start = start;
	once_now = start;
	once_bad = 0;
	for (i = 0; i < ONCE_TIMERS; i++) {
		u32 bits = rng_below(&rng, 32);
		u32 delay = rng_below(&rng, 1U << bits) & 0x7fffffff;

		/* 2% in the past, 1% right at the clamp */
		if (rng_below(&rng, 100) < 2)
			delay = -rng_below(&rng, 1000);
		else if (rng_below(&rng, 100) < 1)
			delay = ETP_WHEEL_MAX_DELTA - 50 + rng_below(&rng, 100);
		if ((s32)delay < 0)
			delay = -rng_below(&rng, 1000);
		etp_timer_init(&o[i].t, once_fire);
		o[i].expires = start + delay;
		o[i].latest = latest(start, start + delay);
		etp_wheel_arm(once_w, &o[i].t, start + delay);
		order[i] = i;
	}
	qsort(order, ONCE_TIMERS, sizeof(*order), by_deadline);
	ASSERT_EQ(ONCE_TIMERS, etp_wheel_count(once_w));

	while (etp_wheel_count(once_w)) {
		u32 p = rng_below(&rng, 100);

		if (p < 60)
			once_now += 1;
		else if (p < 70)
			once_now += rng_below(&rng, 64);
		else if (p < 74)
			once_now += rng_below(&rng, 5000);
		else if (p < 75)
			once_now += rng_below(&rng, 1U << 27);
		else if (etp_wheel_next_expiry(once_w, &when) &&
			 before(once_now, when))
			once_now = when;
		fired += etp_wheel_advance(once_w, once_now);
		steps++;
		/* The sorted reference: everything due by now has fired */
		while (cursor < ONCE_TIMERS &&
		       !before(once_now, o[order[cursor]].latest)) {
			ASSERT_EQ(1U, o[order[cursor]].fires);
			cursor++;
		}
		ASSERT_EQ(ONCE_TIMERS - fired, etp_wheel_count(once_w));
		ASSERT_EQ(0U, once_bad);
	}
	for (i = 0; i < ONCE_TIMERS; i++)
		ASSERT_EQ(1U, o[i].fires);
	EXPECT_EQ(ONCE_TIMERS, fired);
	TH_LOG("%u timers, each fired once, in %u steps", fired, steps);
	free(o);
	free(order);
	free(once_w);
}

TEST(every_timer_fires_once)
{
	every_timer_once(_metadata, 0x0dd5eed1, 1000);
}

TEST(every_timer_fires_once_across_wrap)
{
	every_timer_once(_metadata, 0x0dd5eed2, 0xffffffff - 100000);
}

/* ---- callbacks that arm and cancel ------------------------------------- */

static struct etp_wheel *cb_wheel;
static struct ftimer cb_self, cb_other, cb_victim, cb_late;

static void cb_rearm_now(struct etp_timer *t)
{
	note_fire(t);
	/* At "now": must wait for the next advance, not loop in this one */
	etp_wheel_arm(cb_wheel, t, cur_now);
}

/* cb_self and cb_victim both run this: the first out cancels the other. */
static void cb_cancel_and_arm(struct etp_timer *t)
{
	note_fire(t);
	/* The other is due in this same tick: cancel must stop it */
	etp_wheel_cancel(cb_wheel, t == &cb_self.t ? &cb_victim.t :
						     &cb_self.t);
	etp_wheel_arm(cb_wheel, &cb_late.t, cur_now + 10);
	etp_wheel_arm(cb_wheel, &cb_other.t, cur_now - 5);
	/* Cancelling yourself from your own callback is a no-op */
	if (etp_wheel_cancel(cb_wheel, t))
		t->expires = 0xdead;
}

TEST(callback_rearms_self_at_now)
{
	cb_wheel = new_wheel(100);
	ASSERT_NE(NULL, cb_wheel);
	etp_timer_init(&cb_self.t, cb_rearm_now);
	etp_wheel_arm(cb_wheel, &cb_self.t, 105);
	for (cur_now = 100; cur_now < 110; cur_now++)
		ASSERT_EQ(cur_now >= 105 ? 1U : 0U,
			  etp_wheel_advance(cb_wheel, cur_now));
	EXPECT_EQ(5U, cb_self.fires);
	EXPECT_TRUE(etp_timer_pending(&cb_self.t));
	EXPECT_EQ(1U, etp_wheel_count(cb_wheel));
	free(cb_wheel);
}

TEST(callback_cancels_and_arms_others)
{
	cb_wheel = new_wheel(1000);
	ASSERT_NE(NULL, cb_wheel);
	memset(&cb_self, 0, sizeof(cb_self));
	memset(&cb_victim, 0, sizeof(cb_victim));
	etp_timer_init(&cb_self.t, cb_cancel_and_arm);
	etp_timer_init(&cb_victim.t, cb_cancel_and_arm);
	etp_timer_init(&cb_other.t, note_fire);
	etp_timer_init(&cb_late.t, note_fire);
	/* Same tick, in whatever order the wheel hands them out */
	etp_wheel_arm(cb_wheel, &cb_victim.t, 1020);
	etp_wheel_arm(cb_wheel, &cb_self.t, 1020);
	cur_now = 1020;
	EXPECT_EQ(1U, etp_wheel_advance(cb_wheel, 1020));
	EXPECT_EQ(1U, cb_self.fires + cb_victim.fires);
	EXPECT_NE(0xdeadU, cb_self.t.expires);
	EXPECT_NE(0xdeadU, cb_victim.t.expires);
	EXPECT_FALSE(etp_timer_pending(&cb_self.t));
	EXPECT_FALSE(etp_timer_pending(&cb_victim.t));
	/* Armed in the past from a callback: due on the next advance only */
	EXPECT_EQ(0U, cb_other.fires);
	EXPECT_EQ(2U, etp_wheel_count(cb_wheel));
	cur_now = 1021;
	EXPECT_EQ(1U, etp_wheel_advance(cb_wheel, 1021));
	EXPECT_EQ(1U, cb_other.fires);
	cur_now = 1030;
	EXPECT_EQ(1U, etp_wheel_advance(cb_wheel, 1030));
	EXPECT_EQ(1030U, cb_late.fired_at);
	EXPECT_EQ(0U, etp_wheel_count(cb_wheel));
	free(cb_wheel);
}

/* Catching up over many ticks, a callback's timers fire in the same pass. */
TEST(callback_chain_while_catching_up)
{
	cb_wheel = new_wheel(0);
	ASSERT_NE(NULL, cb_wheel);
	memset(&cb_self, 0, sizeof(cb_self));
	etp_timer_init(&cb_self.t, cb_rearm_now);
	etp_wheel_arm(cb_wheel, &cb_self.t, 3);
	cur_now = 0;
	/* cur_now stays 0 in the callback: each re-arm is in the past */
	EXPECT_EQ(48U, etp_wheel_advance(cb_wheel, 50));
	EXPECT_EQ(48U, cb_self.fires);
	EXPECT_EQ(1U, etp_wheel_count(cb_wheel));
	free(cb_wheel);
}

/*
 * A slot is several lanes: it stays pending until its last lane empties,
 * whichever lane that is, and every lane's timers fire.
 */
TEST(slot_pending_until_every_lane_empty)
{
	const u32 n = 2 * ETP_WHEEL_LANES + 1;
	struct etp_wheel *w = new_wheel(0);
	struct ftimer f[2 * ETP_WHEEL_LANES + 1] = {};
	u32 i, when, fired = 0;

	ASSERT_NE(NULL, w);
	/* 300 ticks out: level 1, all in the slot that fires at 304 */
	for (i = 0; i < n; i++) {
		etp_timer_init(&f[i].t, note_fire);
		etp_wheel_arm(w, &f[i].t, 297 + i % 7);
		ASSERT_EQ(f[0].t.idx, f[i].t.idx);
	}
	/* Cancel all but the last, the first lane's head among them. */
	for (i = 0; i + 1 < n; i++) {
		ASSERT_TRUE(etp_wheel_cancel(w, &f[i].t));
		ASSERT_TRUE(etp_wheel_next_expiry(w, &when));
		ASSERT_EQ(304U, when);
	}
	ASSERT_TRUE(etp_wheel_cancel(w, &f[n - 1].t));
	EXPECT_FALSE(etp_wheel_next_expiry(w, &when));
	/* Armed again, all of them fire at 304, once each. */
	for (i = 0; i < n; i++)
		etp_wheel_arm(w, &f[i].t, 300);
	for (cur_now = 0; cur_now <= 304; cur_now++)
		fired += etp_wheel_advance(w, cur_now);
	EXPECT_EQ(n, fired);
	for (i = 0; i < n; i++)
		EXPECT_EQ(304U, f[i].fired_at);
	EXPECT_EQ(0U, etp_wheel_count(w));
	free(w);
}

/* ---- bulk and idle ------------------------------------------------------ */

TEST(ten_thousand_in_one_slot)
{
	u32 n = 10000, i, fired = 0;
	struct ftimer *f = calloc(n, sizeof(*f));
	struct etp_wheel *w = new_wheel(0);
	struct etp_timer *t;

	ASSERT_TRUE(f && w);
	for (i = 0; i < n; i++) {
		etp_timer_init(&f[i].t, note_fire);
		ASSERT_FALSE(etp_wheel_arm(w, &f[i].t, 3000));
	}
	EXPECT_EQ(n, etp_wheel_count(w));
	for (i = 0; i < n; i += 2)
		ASSERT_TRUE(etp_wheel_cancel(w, &f[i].t));
	EXPECT_EQ(n / 2, etp_wheel_count(w));
	EXPECT_EQ(NULL, etp_wheel_pop_expired(w, 2999));
	while ((t = etp_wheel_pop_expired(w, 3100))) {
		ASSERT_EQ(1U, (u32)(((struct ftimer *)t - f) & 1));
		ASSERT_FALSE(etp_timer_pending(t));
		fired++;
	}
	EXPECT_EQ(n / 2, fired);
	EXPECT_EQ(0U, etp_wheel_count(w));
	free(f);
	free(w);
}

/* Idle gaps are crossed with bit scans: 2^40 ticks must take no time. */
TEST(idle_gaps_cost_nothing)
{
	struct etp_wheel *w = new_wheel(7);
	struct ftimer far = {}, near = {};
	u32 i, when, calls = 0;
	double t0;

	ASSERT_NE(NULL, w);
	etp_timer_init(&far.t, note_fire);
	etp_timer_init(&near.t, note_fire);
	t0 = now_sec();
	/* Empty wheel: the clock follows now across wraps, however far */
	for (i = 0, cur_now = 7; i < 1U << 20; i++) {
		cur_now += 0x9e3779b9;
		ASSERT_EQ(0U, etp_wheel_advance(w, cur_now));
	}
	etp_wheel_arm(w, &near.t, cur_now + 10);
	cur_now += 10;
	ASSERT_EQ(1U, etp_wheel_advance(w, cur_now));
	EXPECT_EQ(cur_now, near.fired_at);
	/* One far timer; a million advances each jumping 100 ticks */
	etp_wheel_arm(w, &far.t, cur_now + ETP_WHEEL_MAX_DELTA);
	for (i = 0; i < 1000000; i++) {
		cur_now += 100;
		calls += etp_wheel_advance(w, cur_now);
	}
	EXPECT_EQ(0U, calls);
	ASSERT_TRUE(etp_wheel_next_expiry(w, &when));
	/* Then the rest of the 36 h gap in one call */
	cur_now = when;
	EXPECT_EQ(1U, etp_wheel_advance(w, cur_now));
	EXPECT_EQ(1U, far.fires);
	t0 = now_sec() - t0;
	TH_LOG("2^52 idle ticks and 1e6 advances in %.3f s", t0);
	EXPECT_LT(t0, 2.0);
	free(w);
}

/* ---- next expiry and the re-arm fast path ------------------------------- */

TEST(next_expiry_exact)
{
	struct etp_wheel *w = new_wheel(1000);
	struct ftimer f[4] = {};
	u32 when = 0, i;

	ASSERT_NE(NULL, w);
	EXPECT_FALSE(etp_wheel_next_expiry(w, &when));
	for (i = 0; i < 4; i++)
		etp_timer_init(&f[i].t, note_fire);
	etp_wheel_arm(w, &f[0].t, 1000 + 70000);	/* level 4 */
	ASSERT_TRUE(etp_wheel_next_expiry(w, &when));
	EXPECT_FALSE(before(when, 1000 + 70000));
	EXPECT_LT(when - (1000 + 70000), etp_wheel_granularity(70000));
	etp_wheel_arm(w, &f[1].t, 1000 + 300);		/* level 1 */
	ASSERT_TRUE(etp_wheel_next_expiry(w, &when));
	EXPECT_EQ(1304U, when);
	etp_wheel_arm(w, &f[2].t, 1000 + 5);
	ASSERT_TRUE(etp_wheel_next_expiry(w, &when));
	EXPECT_EQ(1005U, when);
	etp_wheel_cancel(w, &f[2].t);
	ASSERT_TRUE(etp_wheel_next_expiry(w, &when));
	EXPECT_EQ(1304U, when);
	/* Nothing due before it; the timer at it fires there */
	EXPECT_EQ(0U, etp_wheel_advance(w, 1303));
	cur_now = 1304;
	EXPECT_EQ(1U, etp_wheel_advance(w, 1304));
	etp_wheel_cancel(w, &f[0].t);
	EXPECT_FALSE(etp_wheel_next_expiry(w, &when));
	/* An expiry in the past is due at the clock */
	etp_wheel_arm(w, &f[3].t, 10);
	ASSERT_TRUE(etp_wheel_next_expiry(w, &when));
	EXPECT_EQ(1305U, when);
	free(w);
}

TEST(same_slot_rearm_fast_path)
{
	struct etp_wheel *w = new_wheel(0);
	struct ftimer a = {}, b = {};
	struct etp_timer **a_at;
	u32 idx, i;
	double t0;

	ASSERT_NE(NULL, w);
	etp_timer_init(&a.t, note_fire);
	etp_timer_init(&b.t, note_fire);
	/* 200 ticks out: level 1, slots of 8 ticks; both fire at 208 */
	EXPECT_FALSE(etp_wheel_arm(w, &a.t, 203));
	EXPECT_FALSE(etp_wheel_arm(w, &b.t, 202));
	idx = a.t.idx;
	ASSERT_EQ(idx, b.t.idx);
	a_at = a.t.pprev;
	ASSERT_EQ(&a.t, *a_at);
	/* Within the slot, either way: a is not unlinked and re-added */
	EXPECT_TRUE(etp_wheel_arm(w, &a.t, 207));
	EXPECT_TRUE(etp_wheel_arm(w, &a.t, 201));
	EXPECT_EQ(a_at, a.t.pprev);
	EXPECT_EQ(&a.t, *a_at);
	EXPECT_EQ(201U, a.t.expires);
	/* Later than the slot: still left in place, re-filed at 208 */
	EXPECT_TRUE(etp_wheel_arm(w, &a.t, 290));
	EXPECT_EQ(idx, a.t.idx);
	EXPECT_EQ(a_at, a.t.pprev);
	EXPECT_EQ(2U, etp_wheel_count(w));
	/* Earlier than the slot: moved, and a stays where it was */
	EXPECT_TRUE(etp_wheel_arm(w, &b.t, 100));
	EXPECT_NE(idx, b.t.idx);
	EXPECT_EQ(&a.t, *a_at);
	for (cur_now = 0; cur_now < 400; cur_now++)
		etp_wheel_advance(w, cur_now);
	EXPECT_EQ(1U, a.fires);
	EXPECT_EQ(1U, b.fires);
	/* Re-filed at 208 with 82 ticks left: level 1 again, 290 -> 296 */
	EXPECT_EQ(296U, a.fired_at);
	EXPECT_EQ(104U, b.fired_at);
	/* Cheap enough to do on every ACK */
	etp_wheel_arm(w, &a.t, 1000);
	t0 = now_sec();
	for (i = 0; i < 10000000; i++)
		etp_wheel_arm(w, &a.t, 1000 + (i & 3));
	t0 = now_sec() - t0;
	TH_LOG("1e7 same-slot re-arms in %.3f s", t0);
	EXPECT_LT(t0, 1.0);
	free(w);
}

/* Pushed forward on every tick, a timer is re-filed once per slot turn. */
TEST(rearm_forward_is_lazy)
{
	struct etp_wheel *w = new_wheel(0);
	struct ftimer a = {};
	u32 when, wakeups = 0;

	ASSERT_NE(NULL, w);
	etp_timer_init(&a.t, note_fire);
	etp_wheel_arm(w, &a.t, 300);
	for (cur_now = 1; cur_now < 10000; cur_now++) {
		ASSERT_TRUE(etp_wheel_arm(w, &a.t, cur_now + 300));
		ASSERT_TRUE(etp_wheel_next_expiry(w, &when));
		wakeups += when == cur_now + 1;
		ASSERT_EQ(0U, etp_wheel_advance(w, cur_now));
	}
	/* The RTO never expired; the wheel looked at it every ~300 ticks */
	EXPECT_EQ(0U, a.fires);
	EXPECT_LT(wakeups, 10000U / 200);
	cur_now = 10299 + 7;
	EXPECT_EQ(1U, etp_wheel_advance(w, cur_now));
	free(w);
}

/*
 * The kernel's lock-free re-arm: an RTO pushed a full RTO ahead on every
 * ACK by a store alone, as etp_ktimer_mod() does when etp_wheel_may_defer()
 * allows it. It never fires early, and fires once the ACKs stop.
 */
TEST(defer_by_store)
{
	struct etp_wheel *w = new_wheel(0);
	struct ftimer a = {};
	u32 stores = 0, fire_at;

	ASSERT_NE(NULL, w);
	etp_timer_init(&a.t, note_fire);
	etp_wheel_arm(w, &a.t, 300);
	for (cur_now = 1; cur_now < 10000; cur_now++) {
		if (etp_wheel_may_defer(a.t.idx, a.t.expires, cur_now + 300,
					cur_now)) {
			a.t.expires = cur_now + 300;
			stores++;
		} else {
			ASSERT_TRUE(etp_wheel_arm(w, &a.t, cur_now + 300));
		}
		ASSERT_EQ(0U, etp_wheel_advance(w, cur_now));
	}
	/* 300 ticks ahead is always the same level: no lock was needed. */
	EXPECT_EQ(9999U, stores);
	for (fire_at = 0; !a.fires && cur_now < 20000; cur_now++) {
		etp_wheel_advance(w, cur_now);
		fire_at = cur_now;
	}
	EXPECT_EQ(1U, a.fires);
	EXPECT_LE(10299U, fire_at);
	EXPECT_GE(10299U + etp_wheel_granularity(300) - 1, fire_at);
	free(w);
}

/* A much shorter delay needs a finer slot: no store alone, nor earlier. */
TEST(defer_refused)
{
	struct etp_wheel *w = new_wheel(0);
	struct etp_timer t;

	ASSERT_NE(NULL, w);
	etp_timer_init(&t, note_fire);
	etp_wheel_arm(w, &t, 1000);
	EXPECT_FALSE(etp_wheel_may_defer(t.idx, t.expires, 1010, 990));
	EXPECT_TRUE(etp_wheel_may_defer(t.idx, t.expires, 1990, 990));
	EXPECT_FALSE(etp_wheel_may_defer(t.idx, t.expires, 999, 0));
	EXPECT_FALSE(etp_wheel_may_defer(t.idx, t.expires, 1000, 1001));
	free(w);
}

/* Re-armed while due but not yet popped: it must wait for the new expiry. */
TEST(rearm_while_due)
{
	struct etp_wheel *w = new_wheel(0);
	struct ftimer a = {}, b = {};
	struct etp_timer *t;

	ASSERT_NE(NULL, w);
	etp_timer_init(&a.t, note_fire);
	etp_timer_init(&b.t, note_fire);
	etp_wheel_arm(w, &a.t, 10);
	etp_wheel_arm(w, &b.t, 10);
	t = etp_wheel_pop_expired(w, 10);
	ASSERT_NE(NULL, t);
	/* The other one is due and waiting; push it to the same slot + 64 */
	t = (t == &a.t) ? &b.t : &a.t;
	EXPECT_TRUE(etp_wheel_arm(w, t, 74));
	EXPECT_EQ(NULL, etp_wheel_pop_expired(w, 10));
	EXPECT_EQ(NULL, etp_wheel_pop_expired(w, 73));
	EXPECT_EQ(t, etp_wheel_pop_expired(w, 74));
	EXPECT_EQ(0U, etp_wheel_count(w));
	free(w);
}

TEST_HARNESS_MAIN
