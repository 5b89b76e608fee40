// SPDX-License-Identifier: GPL-2.0
/*
 * Hierarchical timer wheel in the manner of kernel/time/timer.c.
 *
 * Level n has 64 slots of 8^n ticks. Level n's slot for tick T is processed
 * when the clock reaches T and T is a multiple of 8^n, so a timer filed at
 * level n under bucket ceil(expires / 8^n) fires exactly at that bucket's
 * first tick: never early, less than 8^n ticks late. Delays are assigned
 * the lowest level whose 63 slots ahead of the clock still cover them, which
 * keeps every filed timer within one turn of its level and makes the slot
 * index unambiguous. Timers never move between levels (no cascading): the
 * rounding is paid once, when filing, instead of on every level change.
 *
 * Due slots are spliced whole onto exp[] lists and handed out one timer at a
 * time, with the clock already past them, so a callback that re-arms for
 * "now" lands on the next tick instead of looping in the current one. A
 * slot is ETP_WHEEL_LANES lists, filled in turn and handed out in turn:
 * with a million timers pending each timer is a cache miss, and a single
 * list makes those misses one after another (each address is in the timer
 * before it), where four lists let four be fetched at once. Each
 * timer's expiry is checked again as it is handed out, and one not yet due
 * is filed again: that is what lets a re-arm to a later time leave the
 * timer where it is, and what carries delays beyond the top level.
 */
#include "seq.h"
#include "wheel.h"

#define LVL_GRAN(lvl)	(1U << ((lvl) * ETP_WHEEL_LVL_SHIFT))

static inline u32 etp_fls(u32 x)
{
	return 32 - __builtin_clz(x);
}

static inline u64 etp_ror64(u64 x, u32 n)
{
	return (x >> n) | (x << ((64 - n) & 63));
}

static inline u32 etp_ror32(u32 x, u32 n)
{
	return (x >> n) | (x << ((32 - n) & 31));
}

/*
 * Lowest level whose slots reach @delta ticks ahead: the smallest n with
 * 2^(6 + 3n) > delta, read off fls(delta), bumped once more if the
 * rounded-up bucket could be the 64th, which aliases the slot in hand.
 * Tables, because this runs on every arm and the arithmetic (a divide
 * by three and a variable shift) costs twice the instructions. Both are
 * indexed by fls(delta | 63) - 6.
 */
#define LVL_OF_FLS(f)	(((f) - 4) / 3)
#define LVL_MAX(lvl)	(ETP_WHEEL_LVL_MASK * LVL_GRAN(lvl))
#define LVL_MAX_OF_FLS(f)	LVL_MAX(LVL_OF_FLS(f))

/* One object, so that a lookup needs one base address */
static const struct {
	u32 max[22];	/* largest delta the level holds; one more goes up */
	u8 lvl[22];	/* the level fls(delta) points at */
} etp_wheel_lvl_tab = {
	.max = {
		LVL_MAX_OF_FLS(6), LVL_MAX_OF_FLS(7), LVL_MAX_OF_FLS(8),
		LVL_MAX_OF_FLS(9), LVL_MAX_OF_FLS(10), LVL_MAX_OF_FLS(11),
		LVL_MAX_OF_FLS(12), LVL_MAX_OF_FLS(13), LVL_MAX_OF_FLS(14),
		LVL_MAX_OF_FLS(15), LVL_MAX_OF_FLS(16), LVL_MAX_OF_FLS(17),
		LVL_MAX_OF_FLS(18), LVL_MAX_OF_FLS(19), LVL_MAX_OF_FLS(20),
		LVL_MAX_OF_FLS(21), LVL_MAX_OF_FLS(22), LVL_MAX_OF_FLS(23),
		LVL_MAX_OF_FLS(24), LVL_MAX_OF_FLS(25), LVL_MAX_OF_FLS(26),
		LVL_MAX_OF_FLS(27),
	},
	.lvl = {
		LVL_OF_FLS(6), LVL_OF_FLS(7), LVL_OF_FLS(8), LVL_OF_FLS(9),
		LVL_OF_FLS(10), LVL_OF_FLS(11), LVL_OF_FLS(12), LVL_OF_FLS(13),
		LVL_OF_FLS(14), LVL_OF_FLS(15), LVL_OF_FLS(16), LVL_OF_FLS(17),
		LVL_OF_FLS(18), LVL_OF_FLS(19), LVL_OF_FLS(20), LVL_OF_FLS(21),
		LVL_OF_FLS(22), LVL_OF_FLS(23), LVL_OF_FLS(24), LVL_OF_FLS(25),
		LVL_OF_FLS(26), LVL_OF_FLS(27),
	},
};

static_assert(ETP_WHEEL_LEVELS == 8 && ETP_WHEEL_LVL_SHIFT == 3 &&
	      ETP_WHEEL_LVL_BITS == 6, "etp_wheel_lvl_tab needs redoing");
/* 22 entries, fls 6 to 27 = fls(ETP_WHEEL_MAX_DELTA), the top level */
static_assert(ETP_WHEEL_MAX_DELTA >> 26 == 1 &&
	      LVL_OF_FLS(27) == ETP_WHEEL_LEVELS - 1,
	      "etp_wheel_lvl_tab does not end at the top level");

/* @delta must not exceed ETP_WHEEL_MAX_DELTA */
static inline u32 etp_wheel_level(u32 delta)
{
	u32 i = etp_fls(delta | ETP_WHEEL_LVL_MASK) - ETP_WHEEL_LVL_BITS;

	return etp_wheel_lvl_tab.lvl[i] + (delta > etp_wheel_lvl_tab.max[i]);
}

/**
 * etp_wheel_granularity - rounding applied to a delay
 * @delta: ticks from the wheel clock to the requested expiry
 *
 * A timer armed @delta ticks ahead of the wheel clock fires at most
 * granularity - 1 ticks after its expiry. Delays past ETP_WHEEL_MAX_DELTA
 * are filed at the top level and filed again when they come due, so their
 * final lateness is that of whatever delay is left then.
 */
u32 etp_wheel_granularity(u32 delta)
{
	if (delta > ETP_WHEEL_MAX_DELTA)
		delta = ETP_WHEEL_MAX_DELTA;
	return LVL_GRAN(etp_wheel_level(delta));
}

/* Slot for @expires as seen from the clock; *tick is when that slot fires. */
static inline u32 etp_wheel_slot(const struct etp_wheel *w, u32 expires,
				 u32 *tick)
{
	u32 delta = expires - w->clk;
	u32 lvl, shift, bucket;

	if (unlikely(delta > ETP_WHEEL_MAX_DELTA)) {
		/* In the past: due at the clock; too far: the furthest slot */
		delta = (s32)delta < 0 ? 0 : ETP_WHEEL_MAX_DELTA;
		expires = w->clk + delta;
	}
	lvl = etp_wheel_level(delta);
	shift = lvl * ETP_WHEEL_LVL_SHIFT;
	/* ceil(expires / 8^lvl), also right for expires == 0 modulo 2^32 */
	bucket = ((expires - 1) >> shift) + 1;
	*tick = bucket << shift;
	return lvl << ETP_WHEEL_LVL_BITS | (bucket & ETP_WHEEL_LVL_MASK);
}

/* Tick at which the slot @idx next fires, as seen from the clock. */
static inline u32 etp_wheel_slot_tick(const struct etp_wheel *w, u32 idx)
{
	u32 shift = (idx >> ETP_WHEEL_LVL_BITS) * ETP_WHEEL_LVL_SHIFT;
	u32 gmask = (1U << shift) - 1;
	u32 base = (w->clk + gmask) & ~gmask;
	u32 ahead = (idx - (base >> shift)) & ETP_WHEEL_LVL_MASK;

	return base + (ahead << shift);
}

static inline void etp_wheel_enqueue(struct etp_wheel *w,
				     struct etp_timer *t, u32 idx, u32 tick)
{
	struct etp_timer **head, *first;
	u32 lane = w->lane++ % ETP_WHEEL_LANES;

	head = &w->slots[idx].lane[lane];
	first = *head;
	t->next = first;
	if (first)
		first->pprev = &t->next;
	*head = t;
	t->pprev = head;
	t->idx = idx;
	w->pending[idx >> ETP_WHEEL_LVL_BITS] |=
		1ULL << (idx & ETP_WHEEL_LVL_MASK);
	w->count++;
	/* A bound that was only a bound becomes exact: tick is real. */
	if (w->next_valid && !etp_before(w->next_expiry, tick)) {
		w->next_expiry = tick;
		w->next_exact = 1;
	}
}

/* Inlined into arm as well: the call cost 9 of its 67 instructions. */
static inline void etp_wheel_file(struct etp_wheel *w, struct etp_timer *t,
				  u32 expires)
{
	u32 tick, idx;

	idx = etp_wheel_slot(w, expires, &tick);
	etp_wheel_enqueue(w, t, idx, tick);
}

/* Is @pprev the head of one of slot @idx's lanes? */
static inline bool etp_wheel_lane_head(struct etp_wheel *w, u32 idx,
				       struct etp_timer **pprev)
{
	return (unsigned long)pprev - (unsigned long)w->slots[idx].lane <
	       sizeof(w->slots[idx].lane);
}

static bool etp_wheel_slot_empty(const struct etp_wheel *w, u32 idx)
{
	u32 lane;

	for (lane = 0; lane < ETP_WHEEL_LANES; lane++)
		if (w->slots[idx].lane[lane])
			return false;
	return true;
}

/*
 * Only an emptied slot changes the bitmap; the cached next expiry stays a
 * valid lower bound, just no longer known to be exact.
 */
static void etp_wheel_detach(struct etp_wheel *w, struct etp_timer *t)
{
	struct etp_timer *next = t->next;
	struct etp_timer **pprev = t->pprev;

	*pprev = next;
	if (next) {
		next->pprev = pprev;
	} else if (etp_wheel_lane_head(w, t->idx, pprev) &&
		   etp_wheel_slot_empty(w, t->idx)) {
		w->pending[t->idx >> ETP_WHEEL_LVL_BITS] &=
			~(1ULL << (t->idx & ETP_WHEEL_LVL_MASK));
		w->next_exact = 0;
	}
	t->pprev = NULL;
	w->count--;
}

/*
 * Exact next expiry of the filed timers: per level, the first pending slot
 * at or after the level's next tick. Filed timers all lie within one turn
 * of their level, so the first set bit found going round is the earliest.
 */
static bool etp_wheel_scan(struct etp_wheel *w)
{
	u32 best = 0, lvl;
	bool found = false;

	for (lvl = 0; lvl < ETP_WHEEL_LEVELS; lvl++) {
		u32 shift = lvl * ETP_WHEEL_LVL_SHIFT;
		u32 gmask = LVL_GRAN(lvl) - 1;
		u64 map = w->pending[lvl];
		u32 base, delta;

		if (!map)
			continue;
		base = (w->clk + gmask) & ~gmask;
		map = etp_ror64(map, (base >> shift) & ETP_WHEEL_LVL_MASK);
		delta = base - w->clk + ((u32)__builtin_ctzll(map) << shift);
		if (!found || delta < best)
			best = delta;
		found = true;
	}
	w->next_expiry = w->clk + best;
	w->next_valid = found;
	w->next_exact = found;
	return found;
}

/* With nothing pending the clock is free, even if it lagged 2^31 behind. */
static void etp_wheel_reset(struct etp_wheel *w, u32 now)
{
	w->clk = now + 1;
	w->next_valid = 0;
	w->next_exact = 0;
}

/*
 * Is a filed timer due at or before @now? If not, the clock moves to
 * now + 1: every slot skipped is empty, so the gap costs nothing.
 */
static bool etp_wheel_due(struct etp_wheel *w, u32 now)
{
	if (etp_before(now, w->clk))
		return false;
	if (w->next_valid && etp_before(now, w->next_expiry))
		goto idle;
	if (!w->next_exact && !etp_wheel_scan(w))
		goto idle;
	if (!etp_before(now, w->next_expiry))
		return true;
idle:
	w->clk = now + 1;
	return false;
}

/* Splice every slot that fires at @tick onto exp[], one list per lane. */
static void etp_wheel_collect(struct etp_wheel *w, u32 tick)
{
	u32 lvl, lane;

	for (lvl = 0; lvl < ETP_WHEEL_LEVELS; lvl++) {
		u32 shift = lvl * ETP_WHEEL_LVL_SHIFT;
		u32 slot = (tick >> shift) & ETP_WHEEL_LVL_MASK;
		u32 idx = lvl << ETP_WHEEL_LVL_BITS | slot;

		if (tick & (LVL_GRAN(lvl) - 1))
			break;
		if (!(w->pending[lvl] & (1ULL << slot)))
			continue;
		w->pending[lvl] &= ~(1ULL << slot);
		for (lane = 0; lane < ETP_WHEEL_LANES; lane++) {
			u32 e = lvl * ETP_WHEEL_LANES + lane;
			struct etp_timer *t = w->slots[idx].lane[lane];

			if (!t)
				continue;
			w->slots[idx].lane[lane] = NULL;
			w->exp[e] = t;
			t->pprev = &w->exp[e];
			w->exp_map |= 1U << e;
		}
	}
	w->clk = tick + 1;
	/* Everything still filed fires at or after the new clock. */
	w->next_expiry = w->clk;
	w->next_exact = 0;
}

/*
 * The next exp[] list to hand a due timer out from, the lists taken in
 * turn so that each list's next timer has a few pops' time to arrive in
 * the cache; emptied lists (by pops or cancels) leave the map here.
 */
static struct etp_timer **etp_wheel_exp_next(struct etp_wheel *w)
{
	static_assert(ETP_WHEEL_EXP_LISTS <= 32, "exp_map is a u32");

	while (w->exp_map) {
		u32 cur = w->exp_cur;
		u32 e = (cur + __builtin_ctz(etp_ror32(w->exp_map, cur))) % 32;

		if (w->exp[e]) {
			w->exp_cur = (e + 1) % 32;
			return &w->exp[e];
		}
		w->exp_map &= ~(1U << e);
	}
	return NULL;
}

/* @slots: ETP_WHEEL_SLOTS_SIZE bytes, the wheel's until it is dropped */
void etp_wheel_init(struct etp_wheel *w, u32 now,
		    struct etp_wheel_slot *slots)
{
	memset(w, 0, sizeof(*w));
	memset(slots, 0, ETP_WHEEL_SLOTS_SIZE);
	w->slots = slots;
	w->clk = now;
}

void etp_timer_init(struct etp_timer *t, etp_timer_fn fn)
{
	t->next = NULL;
	t->pprev = NULL;
	t->expires = 0;
	t->idx = 0;
	t->fn = fn;
}

/**
 * etp_wheel_refile - file a timer taken off the wheel by its expiry
 * @w: the wheel
 * @t: a timer not pending
 * @expires: the expiry just read from @t
 *
 * Unlike arm it never stores @t->expires: only the timer's owner does, and
 * an owner that defers a pending timer (etp_wheel_may_defer()) may store a
 * later expiry while the wheel looks at the timer. The wheel then files by
 * the older value and, when that slot comes due, finds the newer one.
 */
void etp_wheel_refile(struct etp_wheel *w, struct etp_timer *t, u32 expires)
{
	etp_wheel_file(w, t, expires);
}

static bool etp_wheel_rearm(struct etp_wheel *w, struct etp_timer *t,
			    u32 expires)
{
	u32 tick, idx;

	t->expires = expires;
	if (!etp_before(expires, etp_wheel_slot_tick(w, t->idx)))
		return true;
	idx = etp_wheel_slot(w, expires, &tick);
	if (idx != t->idx) {
		etp_wheel_detach(w, t);
		etp_wheel_enqueue(w, t, idx, tick);
	}
	return true;
}

/**
 * etp_wheel_arm - arm or re-arm a timer
 * @w: the wheel
 * @t: the timer
 * @expires: absolute tick; one at or before the clock fires on the next tick
 *
 * Pushing a pending timer to or past the tick its slot fires at leaves it
 * in place: pop_expired finds it not yet due there and files it again by
 * the delay then left. So TCP re-arming its RTO on every ACK costs one
 * store per ACK and one re-filing per RTO, and the re-filing, with less
 * delay left, is at least as precise. A move within the slot is free too.
 * Only a move to an earlier slot unlinks the timer.
 *
 * Return: true if @t was pending.
 */
bool etp_wheel_arm(struct etp_wheel *w, struct etp_timer *t, u32 expires)
{
	if (t->pprev)
		return etp_wheel_rearm(w, t, expires);
	t->expires = expires;
	etp_wheel_file(w, t, expires);
	return false;
}

/**
 * etp_wheel_may_defer - whether a pending timer may move later by a store
 * @idx: the timer's slot (@t->idx)
 * @cur: its expiry (@t->expires)
 * @expires: the later expiry wanted
 * @now: the clock, at or after the wheel's
 *
 * A timer moved later without being moved on the wheel fires at its
 * slot's tick, at most a granularity of the slot's level after @cur, or,
 * if @expires is past that tick, is filed again there by the delay left.
 * That keeps the lateness bound of a fresh arm (etp_wheel_granularity())
 * as long as a fresh arm would not pick a finer level than the slot's.
 * Pure arithmetic on values the caller read, so an owner may decide
 * without the wheel's lock.
 *
 * Return: true if storing @expires into the timer is a correct re-arm.
 */
bool etp_wheel_may_defer(u32 idx, u32 cur, u32 expires, u32 now)
{
	u32 delta = expires - now;

	if (etp_before(expires, cur) || (s32)delta < 0)
		return false;
	if (delta > ETP_WHEEL_MAX_DELTA)
		delta = ETP_WHEEL_MAX_DELTA;
	return etp_wheel_level(delta) >= idx >> ETP_WHEEL_LVL_BITS;
}

/**
 * etp_wheel_cancel - stop a timer
 * @w: the wheel
 * @t: the timer
 *
 * Return: true if @t was pending. A due timer not yet handed out by
 * pop_expired is still pending and is cancelled too.
 */
bool etp_wheel_cancel(struct etp_wheel *w, struct etp_timer *t)
{
	if (!t->pprev)
		return false;
	etp_wheel_detach(w, t);
	return true;
}

/**
 * etp_wheel_pop_expired - take one due timer off the wheel
 * @w: the wheel
 * @now: current tick
 *
 * The caller runs t->fn itself, with whatever locking it needs. Idle
 * stretches are crossed in O(levels) using the bitmaps.
 *
 * Return: a timer whose expiry is at or before @now, no longer pending, or
 * NULL when none is due.
 */
struct etp_timer *etp_wheel_pop_expired(struct etp_wheel *w, u32 now)
{
	struct etp_timer *t, **head;
	u32 expires;

	if (unlikely(!w->count)) {
		etp_wheel_reset(w, now);
		return NULL;
	}
	do {
		while ((head = etp_wheel_exp_next(w))) {
			t = *head;
			*head = t->next;
			/* Also starts fetching that list's next timer. */
			if (t->next)
				t->next->pprev = head;
			t->pprev = NULL;
			w->count--;
			expires = t->expires;
			if (likely(!etp_before(w->clk - 1, expires)))
				return t;
			/* Re-armed later, or a delay beyond the top level */
			etp_wheel_refile(w, t, expires);
		}
		if (!etp_wheel_due(w, now))
			return NULL;
		etp_wheel_collect(w, w->next_expiry);
	} while (1);
}

/**
 * etp_wheel_advance - run every timer due at @now
 * @w: the wheel
 * @now: current tick
 *
 * Callbacks may arm and cancel any timer, themselves included; one re-armed
 * for @now or earlier runs on the next advance, not this one.
 *
 * Return: how many callbacks ran.
 */
u32 etp_wheel_advance(struct etp_wheel *w, u32 now)
{
	struct etp_timer *t;
	u32 fired = 0;

	while ((t = etp_wheel_pop_expired(w, now))) {
		t->fn(t);
		fired++;
	}
	return fired;
}

/**
 * etp_wheel_next_expiry - when the wheel next needs attention
 * @w: the wheel
 * @when: set to the first tick at which pop_expired returns a timer
 *
 * Never later than the true first expiry; earlier only while due timers
 * await pop_expired, when it is a tick already reached.
 *
 * Return: false when no timer is pending.
 */
bool etp_wheel_next_expiry(struct etp_wheel *w, u32 *when)
{
	if (!w->count)
		return false;
	if (etp_wheel_exp_next(w)) {
		*when = w->clk - 1;
		return true;
	}
	if (!w->next_exact && !etp_wheel_scan(w))
		return false;
	*when = w->next_expiry;
	return true;
}

/**
 * etp_wheel_forward - bring an idle clock up to date without expiring
 * @w: the wheel
 * @now: current tick
 *
 * Delays are measured from the wheel clock, which only moves when the
 * wheel is driven. Call this before arming after the wheel may have sat
 * idle, so a new timer gets the granularity of its real delay.
 */
void etp_wheel_forward(struct etp_wheel *w, u32 now)
{
	if (!w->count)
		etp_wheel_reset(w, now);
	else if (etp_wheel_due(w, now))
		w->clk = w->next_expiry;
}
