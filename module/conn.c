// SPDX-License-Identifier: GPL-2.0
/*
 * The per-netns connection table: an rhashtable by 4-tuple for the receive
 * path (RCU lookups), an xarray by id for netlink, and the lifetime rules
 * of conn.h, timers included: a pending timer holds a reference on its
 * entry, taken when the timer goes from idle to armed and given back by
 * cancel or by the expiry, so an expiry never races with the entry's free.
 */
#include <linux/mm.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>

#include "conn.h"
#include "exec.h"
#include "main.h"

/* Every kind starts with its entry, so freeing e frees the whole. */
static_assert(offsetof(struct etp_listener, e) == 0);
static_assert(offsetof(struct etp_conn, e) == 0);
static_assert(offsetof(struct etp_tw, e) == 0);
static_assert(sizeof(struct etp_key) == 12);
/*
 * Issue 11's budget for a TIME_WAIT entry, kept where a spinlock is 4
 * octets (lock debugging and PREEMPT_RT's sleeping locks are larger).
 */
static_assert(sizeof(spinlock_t) > 4 || sizeof(struct etp_tw) <= 128);
/*
 * ... and for an ESTABLISHED connection, its queues aside. Not for
 * sparse, whose layout of the tcb's bit fields is not the compiler's.
 */
#ifndef __CHECKER__
static_assert(sizeof(spinlock_t) > 4 || sizeof(struct etp_conn) <= 256);
#endif

/*
 * Connections and TIME_WAIT entries are many: each kind has its own slab
 * cache, so an entry costs its size rather than the next kmalloc size (an
 * idle connection must stay within 512 octets, hash and id included;
 * docs/protocol.md 8.10). Listeners are few and come from kmalloc.
 */
static struct kmem_cache *etp_conn_cache, *etp_tw_cache;

int __init etp_caches_init(void)
{
	etp_conn_cache = KMEM_CACHE(etp_conn, 0);
	etp_tw_cache = KMEM_CACHE(etp_tw, 0);
	if (etp_conn_cache && etp_tw_cache)
		return 0;
	etp_caches_exit();
	return -ENOMEM;
}

/* After rcu_barrier(): no entry is waiting for its grace period. */
void etp_caches_exit(void)
{
	kmem_cache_destroy(etp_conn_cache);
	kmem_cache_destroy(etp_tw_cache);
}

static void *etp_entry_alloc(u8 kind, size_t size, gfp_t gfp)
{
	switch (kind) {
	case ETP_KIND_CONN:
		return kmem_cache_zalloc(etp_conn_cache, gfp);
	case ETP_KIND_TW:
		return kmem_cache_zalloc(etp_tw_cache, gfp);
	default:
		return kzalloc(size, gfp);
	}
}

static void etp_entry_free(struct etp_entry *e)
{
	switch (e->kind) {
	case ETP_KIND_CONN:
		kmem_cache_free(etp_conn_cache, e);
		break;
	case ETP_KIND_TW:
		kmem_cache_free(etp_tw_cache, e);
		break;
	default:
		kfree(e);
	}
}

static void etp_conn_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(etp_conn_cache,
			container_of(head, struct etp_conn, t.rcu));
}

static void etp_tw_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(etp_tw_cache, container_of(head, struct etp_tw, t.rcu));
}

/*
 * After a grace period, as the receive path finds entries under RCU. No
 * timer of e is pending (each holds a reference) and no expiry runs for
 * it (the callback holds one too), so its timer's memory is free for the
 * rcu_head (conn.h).
 */
static void etp_entry_free_rcu(struct etp_entry *e)
{
	switch (e->kind) {
	case ETP_KIND_CONN:
		call_rcu(&container_of(e, struct etp_conn, e)->t.rcu,
			 etp_conn_free_rcu);
		break;
	case ETP_KIND_TW:
		call_rcu(&container_of(e, struct etp_tw, e)->t.rcu,
			 etp_tw_free_rcu);
		break;
	default:
		kfree_rcu(container_of(e, struct etp_listener, e), rcu);
	}
}

static const struct rhashtable_params etp_rht_params = {
	.key_len		= sizeof(struct etp_key),
	.key_offset		= offsetof(struct etp_entry, key),
	.head_offset		= offsetof(struct etp_entry, node),
	.automatic_shrinking	= true,
};

int etp_conns_init(struct etp_net *en)
{
	xa_init_flags(&en->ids, XA_FLAGS_ALLOC1 | XA_FLAGS_LOCK_BH);
	atomic_set(&en->nconns, 0);
	atomic_long_set(&en->queue_mem, 0);
	return rhashtable_init(&en->conns, &etp_rht_params);
}

/* --- the queues' memory (module/core/stream.h asks for it) --------------- */

/*
 * A chunk is a page of its own, so a segment can hold a reference to it
 * and send from it (output.c): the page outlives the queue's hold on it
 * for as long as a segment in flight needs it.
 */
static_assert(ETP_CHUNK_SIZE <= PAGE_SIZE);

/* page, which the caller holds a reference on, as a chunk charged to en. */
static void *etp_chunk_charge(struct etp_net *en, struct page *page)
{
	atomic_long_add(ETP_CHUNK_SIZE, &en->queue_mem);
	return page_address(page);
}

void *etp_chunk_alloc(void *owner)
{
	struct page *page;

	/* Taken under the entry's lock, in softirq or with bottom halves off. */
	page = alloc_page(GFP_ATOMIC | __GFP_NOWARN);
	return page ? etp_chunk_charge(owner, page) : NULL;
}

/*
 * A received segment's page as a chunk of the receive queue, instead of a
 * copy of it (input.c): a page of its own (not part of a compound page, so
 * the charge is what it holds), which no file and no process maps (no
 * mapping: neither page cache nor anonymous memory; not mapped). Then
 * only its kernel owner could write it, and a page lent to an skb is not
 * written while the skb's reference, or ours, holds it: etp's own send
 * queue keeps to that (stream.h), as the kernel's page fragments do.
 */
void *etp_chunk_adopt(void *owner, struct page *page)
{
	struct etp_net *en = owner;

	if (PageCompound(page) || READ_ONCE(page->mapping) || page_mapped(page))
		return NULL;
	get_page(page);
	etp_add(en, ETP_MIB_RCV_PAGES_KEPT, 1);
	return etp_chunk_charge(en, page);
}

void etp_chunk_free(void *owner, void *chunk)
{
	struct etp_net *en = owner;

	atomic_long_sub(ETP_CHUNK_SIZE, &en->queue_mem);
	put_page(virt_to_page(chunk));
}

struct etp_stream *etp_conn_stream(struct etp_conn *c)
{
	struct etp_tcb *tcb = &c->tcb;
	u32 size;

	lockdep_assert_held(&c->e.lock);
	if (c->st)
		return c->st;
	size = etp_stream_size(tcb->sndbuf, tcb->rcvbuf);
	c->st = kzalloc(size, GFP_ATOMIC | __GFP_NOWARN);
	if (!c->st)
		return NULL;
	atomic_long_add(size, &c->e.en->queue_mem);
	etp_fsm_attach(tcb, c->st, c->e.en);
	return c->st;
}

/* The last reference: nobody can reach e's queues any more. */
void etp_entry_put(struct etp_entry *e)
{
	struct etp_conn *c;

	if (!refcount_dec_and_test(&e->ref))
		return;
	c = etp_conn(e);
	if (c && c->st) {
		etp_stream_release(c->st);
		atomic_long_sub(etp_stream_size(c->tcb.sndbuf, c->tcb.rcvbuf),
				&e->en->queue_mem);
		kfree(c->st);
	}
	etp_entry_free_rcu(e);
}

/* Under RCU: a reference on e, unless it is NULL or being freed. */
static struct etp_entry *etp_entry_tryget(struct etp_entry *e)
{
	return e && refcount_inc_not_zero(&e->ref) ? e : NULL;
}

/* Under RCU: the entry hashed under exactly key. */
static struct etp_entry *etp_find(struct etp_net *en,
				  const struct etp_key *key)
{
	return rhashtable_lookup(&en->conns, key, etp_rht_params);
}

/*
 * The connection a segment belongs to, else the listener on its port
 * (the listener alone when laddr, raddr and rport are 0).
 */
struct etp_entry *etp_lookup(struct etp_net *en, __be32 laddr, __be32 raddr,
			     __be16 lport, __be16 rport)
{
	struct etp_key key = {
		.laddr = laddr, .raddr = raddr, .lport = lport, .rport = rport,
	};
	struct etp_key lkey = { .lport = lport };
	struct etp_entry *e;

	rcu_read_lock();
	e = etp_entry_tryget(etp_find(en, &key) ?: etp_find(en, &lkey));
	rcu_read_unlock();
	return e;
}

struct etp_entry *etp_entry_get(struct etp_net *en, u32 id)
{
	struct etp_entry *e;

	rcu_read_lock();
	e = etp_entry_tryget(xa_load(&en->ids, id));
	rcu_read_unlock();
	return e;
}

struct etp_entry *etp_entry_next(struct etp_net *en, unsigned long *id)
{
	struct etp_entry *e;

	/* Entries found under RCU stay valid until their refcount is taken. */
	rcu_read_lock();
	xa_for_each_start(&en->ids, *id, e, *id)
		if (etp_entry_tryget(e))
			break;
	rcu_read_unlock();
	return e;
}

/* --- timers ---------------------------------------------------------------- */

/*
 * A connection's timer ids share ETP_SLOTS slots (core/fsm.h), each with
 * its deadline, and one wheel timer fires at the earliest; a TIME_WAIT
 * entry has only ETP_T_TIME_WAIT, on its timer.
 */
static struct etp_timer *etp_entry_wheel_timer(struct etp_entry *e)
{
	switch (e->kind) {
	case ETP_KIND_CONN:
		return &container_of(e, struct etp_conn, e)->t.timer;
	case ETP_KIND_TW:
		return &container_of(e, struct etp_tw, e)->t.timer;
	default:
		return NULL;
	}
}

static void etp_conn_fire(struct etp_timer *t)
{
	etp_exec_timer(&container_of(t, struct etp_conn, t.timer)->e);
}

static void etp_tw_fire(struct etp_timer *t)
{
	etp_exec_timer(&container_of(t, struct etp_tw, t.timer)->e);
}

static void etp_entry_timers_init(struct etp_entry *e)
{
	struct etp_conn *c;
	int slot;

	if (e->kind == ETP_KIND_TW) {
		etp_timer_init(&container_of(e, struct etp_tw, e)->t.timer,
			       etp_tw_fire);
		return;
	}
	if (e->kind != ETP_KIND_CONN)
		return;
	c = container_of(e, struct etp_conn, e);
	etp_timer_init(&c->t.timer, etp_conn_fire);
	for (slot = 0; slot < ETP_SLOTS; slot++)
		c->owner[slot] = ETP_T_MAX;
}

/* Arm or stop e's wheel timer; a pending one holds a reference on e. */
static void etp_entry_wheel_mod(struct etp_entry *e, bool on, u32 expires)
{
	struct etp_timer *t = etp_entry_wheel_timer(e);

	/* Never the last reference: the table or the caller holds one. */
	if (!on) {
		if (etp_ktimer_cancel(&e->en->timers, t))
			etp_entry_put(e);
	} else if (etp_ktimer_mod_at(&e->en->timers, t, expires) == 0) {
		refcount_inc(&e->ref);
	}
}

/*
 * After the slots changed: the wheel timer fires at the earliest armed
 * slot's deadline, or not at all. Pushing it later is a store (timer.c),
 * so an RTO re-armed by every ACK stays cheap.
 */
void etp_entry_timers_sync(struct etp_entry *e)
{
	struct etp_conn *c = etp_conn(e);
	bool any = false;
	u32 first = 0;
	int slot;

	if (!c)
		return;
	for (slot = 0; slot < ETP_SLOTS; slot++) {
		if (c->owner[slot] == ETP_T_MAX)
			continue;
		if (!any || etp_before(c->due[slot], first))
			first = c->due[slot];
		any = true;
	}
	etp_entry_wheel_mod(e, any, first);
}

/* Bookkeeping only: etp_entry_timers_sync() makes the wheel follow. */
static void etp_conn_slot_set(struct etp_conn *c, enum etp_timer_id id,
			      bool arm, u32 ms)
{
	enum etp_timer_slot slot = etp_timer_slot(id);

	if (arm) {
		/* Arming an id takes its slot over from whichever id had it. */
		c->owner[slot] = id;
		c->due[slot] = etp_ktimer_deadline(ms);
	} else if (c->owner[slot] == id) {
		c->owner[slot] = ETP_T_MAX;
	}
}

void etp_entry_timers(struct etp_entry *e, u32 cancel, u32 arm,
		      const u32 *ms)
{
	struct etp_conn *c = etp_conn(e);
	int id;

	lockdep_assert_held(&e->lock);
	if (e->kind == ETP_KIND_TW) {
		/* A TIME_WAIT entry runs no other timer. */
		if (arm & ETP_T_BIT(ETP_T_TIME_WAIT))
			etp_entry_wheel_mod(e, true,
					    etp_ktimer_deadline(ms[ETP_T_TIME_WAIT]));
		else if (cancel & ETP_T_BIT(ETP_T_TIME_WAIT))
			etp_entry_wheel_mod(e, false, 0);
		return;
	}
	if (!c || !(cancel | arm))
		return;
	for (id = 0; id < ETP_T_MAX; id++) {
		if (cancel & ETP_T_BIT(id))
			etp_conn_slot_set(c, id, false, 0);
		if (arm & ETP_T_BIT(id))
			etp_conn_slot_set(c, id, true, ms[id]);
	}
	etp_entry_timers_sync(e);
}

static void etp_entry_arm(struct etp_entry *e, enum etp_timer_id id, u32 ms)
{
	u32 all[ETP_T_MAX] = {};

	all[id] = ms;
	etp_entry_timers(e, 0, ETP_T_BIT(id), all);
}

static void etp_entry_cancel_timers(struct etp_entry *e)
{
	etp_entry_timers(e, ETP_T_ALL, 0, NULL);
}

/*
 * Under the entry's lock, in an expiry: a timer id whose time has come,
 * taken off its slot, or ETP_T_MAX when none is. Deadlines are kept here,
 * so a run the wheel started before its timer was re-armed or cancelled
 * finds nothing due. A TIME_WAIT entry's timer is due unless it was
 * re-armed after the wheel took it off (a retransmitted FIN restarts
 * 2 x MSL).
 */
enum etp_timer_id etp_entry_timer_take(struct etp_entry *e)
{
	struct etp_conn *c = etp_conn(e);
	u32 now = etp_ktimer_now();
	enum etp_timer_id id;
	int slot;

	lockdep_assert_held(&e->lock);
	if (e->kind == ETP_KIND_TW)
		return etp_ktimer_pending(&e->en->timers,
					  etp_entry_wheel_timer(e)) ?
		       ETP_T_MAX : ETP_T_TIME_WAIT;
	if (!c)
		return ETP_T_MAX;
	for (slot = 0; slot < ETP_SLOTS; slot++) {
		id = c->owner[slot];
		if (id != ETP_T_MAX && !etp_before(now, c->due[slot])) {
			c->owner[slot] = ETP_T_MAX;
			return id;
		}
	}
	return ETP_T_MAX;
}

/* Milliseconds until the timer fires; -1 if it is not pending. */
s32 etp_entry_timer_left(struct etp_entry *e, enum etp_timer_id id)
{
	struct etp_conn *c = etp_conn(e);
	enum etp_timer_slot slot = etp_timer_slot(id);

	if (e->kind == ETP_KIND_TW)
		return id == ETP_T_TIME_WAIT ?
		       etp_ktimer_remaining(&e->en->timers,
					    etp_entry_wheel_timer(e)) : -1;
	if (!c || c->owner[slot] != id)
		return -1;
	return etp_ktimer_left(c->due[slot]);
}

/* --- birth ----------------------------------------------------------------- */

/* Fresh entry holding two references: the table's and the creator's. */
static void etp_entry_init(struct etp_entry *e, struct etp_net *en, u8 kind,
			   const struct etp_key *key)
{
	e->key = *key;
	e->kind = kind;
	e->en = en;
	refcount_set(&e->ref, 2);
	spin_lock_init(&e->lock);
	etp_entry_timers_init(e);
}

/*
 * A new entry of @size bytes counted against max_conns; ERR_PTR(-EUSERS)
 * at the limit, ERR_PTR(-ENOMEM).
 */
static struct etp_entry *etp_entry_new(struct etp_net *en, u8 kind,
				       const struct etp_key *key, size_t size,
				       gfp_t gfp)
{
	struct etp_entry *e;

	if (atomic_inc_return(&en->nconns) > READ_ONCE(en->params.max_conns)) {
		atomic_dec(&en->nconns);
		etp_inc(en, ETP_MIB_CONN_LIMIT);
		return ERR_PTR(-EUSERS);
	}
	e = etp_entry_alloc(kind, size, gfp);
	if (!e) {
		atomic_dec(&en->nconns);
		return ERR_PTR(-ENOMEM);
	}
	etp_entry_init(e, en, kind, key);
	return e;
}

struct etp_listener *etp_listener_new(struct etp_net *en, u16 port,
				      u32 backlog)
{
	struct etp_key key = { .lport = htons(port) };
	struct etp_listener *l;
	struct etp_entry *e;

	e = etp_entry_new(en, ETP_KIND_LISTENER, &key, sizeof(*l), GFP_KERNEL);
	if (IS_ERR(e))
		return ERR_CAST(e);
	l = container_of(e, struct etp_listener, e);
	l->backlog = backlog;
	return l;
}

struct etp_conn *etp_conn_new(struct etp_net *en, const struct etp_key *key)
{
	struct etp_entry *e;

	e = etp_entry_new(en, ETP_KIND_CONN, key, sizeof(struct etp_conn),
			  GFP_KERNEL);
	return IS_ERR(e) ? ERR_CAST(e) : container_of(e, struct etp_conn, e);
}

/*
 * A SYN reached listener l (locked): a child for SYN_RCVD, counted in l's
 * queue, pinning l. NULL when the backlog or max_conns is full, or memory
 * is short (counted where it is a limit).
 */
struct etp_conn *etp_child_new(struct etp_listener *l, __be32 laddr,
			       __be32 raddr, __be16 rport)
{
	struct etp_key key = {
		.laddr = laddr, .raddr = raddr,
		.lport = l->e.key.lport, .rport = rport,
	};
	struct etp_entry *e;
	struct etp_conn *c;

	if (!atomic_add_unless(&l->queue, 1, l->backlog)) {
		etp_inc(l->e.en, ETP_MIB_LISTEN_OVERFLOW);
		return NULL;
	}
	e = etp_entry_new(l->e.en, ETP_KIND_CONN, &key, sizeof(*c),
			  GFP_ATOMIC);
	if (IS_ERR(e)) {
		atomic_dec(&l->queue);
		return NULL;
	}
	c = container_of(e, struct etp_conn, e);
	refcount_inc(&l->e.ref);
	c->listener = l;
	c->listener_id = l->e.id;
	return c;
}

/*
 * Make a new, locked entry visible: by key, then by id. On failure it was
 * never seen by anyone: -EEXIST if the key is taken, -ENODEV if the netns
 * is going away.
 */
int etp_entry_hash(struct etp_entry *e)
{
	struct etp_net *en = e->en;
	int err;

	lockdep_assert_held(&e->lock);
	if (READ_ONCE(en->dying))
		return -ENODEV;
	err = rhashtable_lookup_insert_fast(&en->conns, &e->node,
					    etp_rht_params);
	if (err)
		return err;
	err = xa_alloc_cyclic_bh(&en->ids, &e->id, e, xa_limit_31b,
				 &en->next_id, GFP_ATOMIC);
	if (err < 0) {
		rhashtable_remove_fast(&en->conns, &e->node, etp_rht_params);
		return err;
	}
	return 0;
}

/* A child hands its place in the listener's queue back once. */
void etp_child_done(struct etp_conn *c)
{
	struct etp_listener *l = c->listener;

	if (!l)
		return;
	c->listener = NULL;
	atomic_dec(&l->queue);
	etp_entry_put(&l->e);
}

/* An entry that etp_entry_hash() never made visible. */
void etp_entry_discard(struct etp_entry *e)
{
	if (e->kind == ETP_KIND_CONN)
		etp_child_done(container_of(e, struct etp_conn, e));
	/* A TIME_WAIT entry only takes its place in max_conns on the swap. */
	if (e->kind != ETP_KIND_TW)
		atomic_dec(&e->en->nconns);
	etp_entry_free(e);
}

/* --- death ----------------------------------------------------------------- */

/*
 * Take e out of the table and the id space, stop its timers and drop the
 * table's reference. The caller holds a reference of its own.
 */
void etp_entry_unhash(struct etp_entry *e)
{
	struct etp_net *en = e->en;

	lockdep_assert_held(&e->lock);
	if (e->dead && !e->retired)
		return;
	if (!e->dead)
		rhashtable_remove_fast(&en->conns, &e->node, etp_rht_params);
	e->dead = true;
	e->retired = false;
	xa_erase_bh(&en->ids, e->id);
	atomic_dec(&en->nconns);
	etp_entry_cancel_timers(e);
	if (e->kind == ETP_KIND_CONN)
		etp_child_done(container_of(e, struct etp_conn, e));
	etp_entry_put(e);
}

/*
 * An ended connection with data its user has not read: out of the table by
 * key, so segments no longer find it and the 4-tuple is free; still there
 * by id, for RECV, until it is read, aborted, or linger_ms runs out.
 */
void etp_entry_retire(struct etp_entry *e, u32 linger_ms)
{
	lockdep_assert_held(&e->lock);
	if (e->dead)
		return;
	e->dead = true;
	e->retired = true;
	rhashtable_remove_fast(&e->en->conns, &e->node, etp_rht_params);
	etp_entry_cancel_timers(e);
	if (e->kind == ETP_KIND_CONN)
		etp_child_done(container_of(e, struct etp_conn, e));
	etp_entry_arm(e, ETP_T_TIME_WAIT, linger_ms);
}

/*
 * A connection entering TIME_WAIT hands its place (key, id, what TIME_WAIT
 * needs of its tcb) to a compact entry: etp_tw_new() makes it, still
 * unseen; the caller locks it and etp_tw_replace() swaps it in. On failure
 * (memory short, or e no longer hashed) e does TIME_WAIT in full.
 */
struct etp_entry *etp_tw_new(struct etp_entry *e)
{
	struct etp_conn *c = container_of(e, struct etp_conn, e);
	struct etp_tw *tw;

	if (!etp_tw_packable(&c->tcb))
		return NULL;
	tw = etp_entry_alloc(ETP_KIND_TW, sizeof(*tw), GFP_ATOMIC);
	if (!tw)
		return NULL;
	/* It inherits e's place in max_conns along with the rest. */
	etp_entry_init(&tw->e, e->en, ETP_KIND_TW, &e->key);
	tw->e.id = e->id;
	etp_tw_pack(&tw->tcb, &c->tcb);
	return &tw->e;
}

/* e and tw are locked; on success tw has taken e's place and e is gone. */
bool etp_tw_replace(struct etp_entry *e, struct etp_entry *tw)
{
	struct etp_net *en = e->en;

	lockdep_assert_held(&e->lock);
	lockdep_assert_held(&tw->lock);
	if (rhashtable_replace_fast(&en->conns, &e->node, &tw->node,
				    etp_rht_params))
		return false;
	xa_store_bh(&en->ids, e->id, tw, GFP_ATOMIC);
	e->dead = true;
	etp_entry_cancel_timers(e);
	etp_child_done(container_of(e, struct etp_conn, e));
	etp_entry_put(e);
	return true;
}

/*
 * Netns exit: the receive path and the timers have stopped (pre_exit and
 * the timer base shutdown), netlink cannot reach a dying netns, so every
 * entry is simply dropped; no segments or events are sent.
 */
void etp_conns_exit(struct etp_net *en)
{
	struct etp_entry *e;
	unsigned long id = 0;

	while ((e = etp_entry_next(en, &id))) {
		spin_lock_bh(&e->lock);
		etp_entry_unhash(e);
		spin_unlock_bh(&e->lock);
		etp_entry_put(e);
		id++;
	}
	WARN_ON(atomic_read(&en->nconns));
	/* Every queue went with its entry's last reference. */
	WARN_ON(atomic_long_read(&en->queue_mem));
	rhashtable_destroy(&en->conns);
	xa_destroy(&en->ids);
}
