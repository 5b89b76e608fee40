// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel glue for the core timer wheel (module/core/wheel.c).
 *
 * A tick is one millisecond, read from jiffies as mod_timer() reads it: one
 * load, where a clocksource read (TSC or HPET) cost more than a whole
 * timer_list re-arm under TCG. The clock so moves in steps of a jiffy, so
 * a timer is armed a jiffy further out than asked (as msecs_to_jiffies()
 * rounds up) and never fires early; re-arms for the same delay within one
 * jiffy find their timer armed for that very tick and take no lock. Like
 * INITIAL_JIFFIES, the tick count starts close to its wrap point so that
 * every test run crosses the u32 wraparound a minute after the module
 * loads.
 *
 * Locking: base->lock serialises the wheel, but for a pending timer pushed
 * later, which its owner does with a store (etp_ktimer_defer()). It is
 * taken from process context (netlink) and softirq (packet receive, the
 * hrtimer callback, which runs as HRTIMER_MODE_REL_SOFT), hence the _bh
 * variants outside softirq.
 * Callbacks run without the lock, one at a time per base, and
 * base->running names the one in progress so that cancel_sync can wait for
 * it, as timer_delete_sync() does.
 */
#include <linux/hrtimer.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/processor.h>

#include "core/seq.h"
#include "main.h"
#include "stats.h"
#include "timer.h"

#define ETP_TICK_INITIAL	((u32)-60000)
/* The clock's step, in ticks: jiffies_to_msecs(1), without the call. */
#define ETP_JIFFY_MS		DIV_ROUND_UP(MSEC_PER_SEC, HZ)

static u32 etp_tick_offset __read_mostly;
static struct lock_class_key etp_ktimers_running_key;

/*
 * jiffies64_to_msecs() modulo 2^32, inline where a jiffy is a whole number
 * of milliseconds (HZ 100, 250, 1000): the clock of every arm, where the
 * call cost as much as the rest of a same-tick re-arm.
 */
static inline u32 etp_jiffies_ms(u64 j)
{
#if !(MSEC_PER_SEC % HZ)
	return (u32)j * (MSEC_PER_SEC / HZ);
#else
	return (u32)jiffies64_to_msecs(j);
#endif
}

u32 etp_ktimer_now(void)
{
	return etp_jiffies_ms(get_jiffies_64()) + etp_tick_offset;
}

static struct etp_net *etp_ktimers_net(struct etp_ktimers *b)
{
	return container_of(b, struct etp_net, timers);
}

/*
 * Program the hrtimer for the wheel's next expiry; cancel it when idle.
 * An hrtimer already set to fire at or before that expiry is left alone,
 * as the kernel's own wheel leaves its timer when timers go: it fires a
 * little early, finds nothing due and programs the next expiry then. A
 * transfer that cancels and re-arms its retransmission timer with every
 * ACK would otherwise read the clock and reprogram the hrtimer each time.
 */
static void etp_ktimers_reprogram(struct etp_ktimers *b)
{
	u32 next, now;
	s32 delta;

	lockdep_assert_held(&b->lock);
	if (b->dead || !etp_wheel_next_expiry(&b->wheel, &next)) {
		if (b->hrt_armed)
			hrtimer_try_to_cancel(&b->hrt);
		b->hrt_armed = false;
		return;
	}
	if (b->hrt_armed && !etp_before(next, b->hrt_tick))
		return;
	now = etp_ktimer_now();
	delta = (s32)(next - now);
	if (delta < 0)
		delta = 0;
	b->hrt_tick = next;
	b->hrt_armed = true;
	hrtimer_start(&b->hrt, ms_to_ktime(delta), HRTIMER_MODE_REL_SOFT);
}

static enum hrtimer_restart etp_ktimers_fire(struct hrtimer *hrt)
{
	struct etp_ktimers *b = container_of(hrt, struct etp_ktimers, hrt);
	struct etp_net *en = etp_ktimers_net(b);
	u32 now = etp_ktimer_now();
	struct etp_timer *t;
	u32 expires;

	etp_inc(en, ETP_MIB_TIMER_WAKEUPS);
	spin_lock(&b->lock);
	b->hrt_armed = false;
	/* Timers that come due meanwhile: the reprogram below fires at once. */
	while (!b->dead && (t = etp_wheel_pop_expired(&b->wheel, now))) {
		/* Off the wheel, then its expiry: see etp_ktimer_defer(). */
		smp_mb();
		expires = READ_ONCE(t->expires);
		if (etp_before(now, expires)) {
			etp_wheel_refile(&b->wheel, t, expires);
			continue;
		}
		b->running = t;
		spin_unlock(&b->lock);
		etp_inc(en, ETP_MIB_TIMERS_FIRED);
		lock_map_acquire(&b->running_map);
		t->fn(t);
		lock_map_release(&b->running_map);
		spin_lock(&b->lock);
		b->running = NULL;
	}
	etp_ktimers_reprogram(b);
	spin_unlock(&b->lock);
	return HRTIMER_NORESTART;
}

/* 0 or -ENOMEM. A base set up is taken down by shutdown, then destroy. */
int etp_ktimers_init(struct etp_ktimers *b)
{
	/* 16 KiB: with the rest of a netns' etp_net it would be order 3. */
	struct etp_wheel_slot *slots = kvmalloc(ETP_WHEEL_SLOTS_SIZE,
						GFP_KERNEL);

	if (!slots)
		return -ENOMEM;
	if (!etp_tick_offset)
		etp_tick_offset = ETP_TICK_INITIAL -
				  etp_jiffies_ms(get_jiffies_64());
	spin_lock_init(&b->lock);
	lockdep_init_map(&b->running_map, "etp_ktimers_running",
			 &etp_ktimers_running_key, 0);
	etp_wheel_init(&b->wheel, etp_ktimer_now(), slots);
	hrtimer_init(&b->hrt, CLOCK_MONOTONIC, HRTIMER_MODE_REL_SOFT);
	b->hrt.function = etp_ktimers_fire;
	b->running = NULL;
	b->hrt_armed = false;
	b->dead = false;
	return 0;
}

/* After this nothing re-arms and no callback runs; timers may remain. */
void etp_ktimers_shutdown(struct etp_ktimers *b)
{
	spin_lock_bh(&b->lock);
	b->dead = true;
	spin_unlock_bh(&b->lock);
	hrtimer_cancel(&b->hrt);
}

/* Owners must have cancelled their timers: the wheel holds pointers. */
void etp_ktimers_destroy(struct etp_ktimers *b)
{
	WARN_ON(!b->dead);
	WARN_ON(etp_wheel_count(&b->wheel));
	kvfree(b->wheel.slots);
	b->wheel.slots = NULL;
}

/*
 * A pending timer pushed later (an RTO re-armed by an ACK) needs no lock
 * when its slot on the wheel still fits (etp_wheel_may_defer()): a store of
 * the new expiry, which the wheel finds when the slot comes due. Its
 * owner's lock serialises the stores; the wheel only reads them. If the
 * wheel takes the timer off meanwhile, the barriers here and in
 * etp_ktimers_fire() make sure one side sees the other: either this sees
 * it no longer pending and arms it under the lock, or the wheel sees the
 * later expiry and files it again instead of running it. As with
 * mod_timer(), re-arming to the very tick it has is the cheapest case.
 */
static bool etp_ktimer_defer(struct etp_timer *t, u32 expires, u32 now)
{
	u32 cur;

	if (!READ_ONCE(t->pprev))
		return false;
	cur = READ_ONCE(t->expires);
	if (cur == expires)
		return true;
	if (!etp_wheel_may_defer(READ_ONCE(t->idx), cur, expires, now))
		return false;
	WRITE_ONCE(t->expires, expires);
	smp_mb();	/* the store, then pending: pairs with etp_ktimers_fire() */
	return READ_ONCE(t->pprev);
}

/*
 * The tick a timer armed now for delay_ms fires at. The next jiffy may be
 * a moment away: never early (see the top).
 */
static u32 etp_ktimer_deadline_from(u32 now, u32 delay_ms)
{
	return now + delay_ms + ETP_JIFFY_MS;
}

u32 etp_ktimer_deadline(u32 delay_ms)
{
	return etp_ktimer_deadline_from(etp_ktimer_now(), delay_ms);
}

/* Milliseconds from now until tick expires; 0 once it has passed. */
s32 etp_ktimer_left(u32 expires)
{
	return max_t(s32, 0, (s32)(expires - etp_ktimer_now()));
}

/*
 * Arm (or re-arm) t to fire at tick expires (etp_ktimer_deadline()). Like
 * mod_timer(): returns 1 if t was pending, 0 if it was not, and
 * -ESHUTDOWN (t left unarmed) if the base is shutting down. Owners that
 * pin themselves with a reference per pending timer take one exactly when
 * this returns 0. The owner serialises the calls for one timer (a
 * connection's are under its entry lock).
 */
static int __etp_ktimer_mod(struct etp_ktimers *b, struct etp_timer *t,
			    u32 expires, u32 now)
{
	bool was_pending;

	if (etp_ktimer_defer(t, expires, now))
		return 1;

	spin_lock_bh(&b->lock);
	if (b->dead) {
		spin_unlock_bh(&b->lock);
		return -ESHUTDOWN;
	}
	etp_wheel_forward(&b->wheel, now);
	was_pending = etp_wheel_arm(&b->wheel, t, expires);
	etp_ktimers_reprogram(b);
	spin_unlock_bh(&b->lock);
	if (!was_pending)
		etp_inc(etp_ktimers_net(b), ETP_MIB_TIMERS_ARMED);
	return was_pending;
}

int etp_ktimer_mod_at(struct etp_ktimers *b, struct etp_timer *t,
		      u32 expires)
{
	return __etp_ktimer_mod(b, t, expires, etp_ktimer_now());
}

/* etp_ktimer_mod_at() delay_ms from now, with one read of the clock. */
int etp_ktimer_mod(struct etp_ktimers *b, struct etp_timer *t, u32 delay_ms)
{
	u32 now = etp_ktimer_now();

	return __etp_ktimer_mod(b, t, etp_ktimer_deadline_from(now, delay_ms),
				now);
}

/*
 * Whether t is filed on the wheel: a callback uses it to notice that its
 * timer was re-armed after the wheel took it off, making this run stale.
 */
bool etp_ktimer_pending(struct etp_ktimers *b, const struct etp_timer *t)
{
	bool pending;

	spin_lock_bh(&b->lock);
	pending = etp_timer_pending(t);
	spin_unlock_bh(&b->lock);
	return pending;
}

/* Safe from a callback; does not wait for t's callback if it is running. */
bool etp_ktimer_cancel(struct etp_ktimers *b, struct etp_timer *t)
{
	bool was_pending;

	spin_lock_bh(&b->lock);
	was_pending = etp_wheel_cancel(&b->wheel, t);
	if (was_pending && !etp_wheel_count(&b->wheel))
		etp_ktimers_reprogram(b);
	spin_unlock_bh(&b->lock);
	if (was_pending)
		etp_inc(etp_ktimers_net(b), ETP_MIB_TIMERS_CANCELLED);
	return was_pending;
}

/*
 * Cancel and wait until t's callback is not running anywhere, so the caller
 * may free t. Must not be called from t's own callback, nor with a lock the
 * callback takes.
 */
bool etp_ktimer_cancel_sync(struct etp_ktimers *b, struct etp_timer *t)
{
	bool was_pending = false;
	bool running;

	/*
	 * As timer_delete_sync(): tell lockdep we wait for the callbacks,
	 * so a caller holding a lock one of them takes is reported. Bottom
	 * halves off, as the callbacks run in softirq. Without lockdep there
	 * is nothing to tell and the toggle would be a cost for nothing, so
	 * timer_delete_sync() does it only under CONFIG_LOCKDEP too.
	 */
	if (IS_ENABLED(CONFIG_LOCKDEP)) {
		local_bh_disable();
		lock_map_acquire(&b->running_map);
		lock_map_release(&b->running_map);
		local_bh_enable();
	}
	/*
	 * Cancel and look at the running callback under one lock hold: a
	 * callback that re-arms its own timer cannot slip in between.
	 */
	do {
		spin_lock_bh(&b->lock);
		if (etp_wheel_cancel(&b->wheel, t)) {
			was_pending = true;
			if (!etp_wheel_count(&b->wheel))
				etp_ktimers_reprogram(b);
			etp_inc(etp_ktimers_net(b), ETP_MIB_TIMERS_CANCELLED);
		}
		running = b->running == t;
		spin_unlock_bh(&b->lock);
		if (running)
			cpu_relax();
	} while (running);
	return was_pending;
}

/* Milliseconds until t fires, for `etpctl show`; -1 if not pending. */
s32 etp_ktimer_remaining(struct etp_ktimers *b, const struct etp_timer *t)
{
	s32 left = -1;

	spin_lock_bh(&b->lock);
	if (etp_timer_pending(t))
		left = etp_ktimer_left(t->expires);
	spin_unlock_bh(&b->lock);
	return left;
}
