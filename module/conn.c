// SPDX-License-Identifier: GPL-2.0
/*
 * The per-netns connection table: an rhashtable by 4-tuple for the receive
 * path (RCU lookups), an xarray by id for netlink, and the lifetime rules
 * of conn.h, timers included: a pending timer holds a reference on its
 * entry, taken when the timer goes from idle to armed and given back by
 * cancel or by the expiry, so an expiry never races with the entry's free.
 */
#include <linux/rhashtable.h>
#include <linux/slab.h>

#include "conn.h"
#include "exec.h"
#include "main.h"

/* Every kind starts with its entry, so kfree_rcu(e) frees the whole. */
static_assert(offsetof(struct etp_listener, e) == 0);
static_assert(offsetof(struct etp_conn, e) == 0);
static_assert(offsetof(struct etp_tw, e) == 0);
static_assert(sizeof(struct etp_key) == 12);

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
	return rhashtable_init(&en->conns, &etp_rht_params);
}

void etp_entry_put(struct etp_entry *e)
{
	if (refcount_dec_and_test(&e->ref))
		kfree_rcu(e, rcu);
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

static struct etp_timer *etp_entry_timer(struct etp_entry *e,
					 enum etp_timer_id id)
{
	switch (e->kind) {
	case ETP_KIND_CONN:
		return &container_of(e, struct etp_conn, e)->timers[id];
	case ETP_KIND_TW:
		if (id == ETP_T_TIME_WAIT)
			return &container_of(e, struct etp_tw, e)->timer;
		return NULL;
	default:
		return NULL;
	}
}

/*
 * Whether the timer is filed on the wheel: an expiry that finds its timer
 * re-armed after the wheel took it off is stale.
 */
bool etp_entry_timer_pending(struct etp_entry *e, enum etp_timer_id id)
{
	return etp_ktimer_pending(&e->en->timers, etp_entry_timer(e, id));
}

/* Each expiry hands the timer's reference to exec.c. */
static void etp_conn_fired(struct etp_timer *t, enum etp_timer_id id)
{
	/* t is &c->timers[id], so t - id is &c->timers[0]. */
	struct etp_conn *c = container_of(t - id, struct etp_conn, timers[0]);

	etp_exec_timer(&c->e, id);
}

static void etp_retx_fire(struct etp_timer *t)
{
	etp_conn_fired(t, ETP_T_RETX);
}

static void etp_fin_wait_2_fire(struct etp_timer *t)
{
	etp_conn_fired(t, ETP_T_FIN_WAIT_2);
}

static void etp_time_wait_fire(struct etp_timer *t)
{
	etp_conn_fired(t, ETP_T_TIME_WAIT);
}

static const etp_timer_fn etp_conn_fire[ETP_T_MAX] = {
	[ETP_T_RETX]		= etp_retx_fire,
	[ETP_T_FIN_WAIT_2]	= etp_fin_wait_2_fire,
	[ETP_T_TIME_WAIT]	= etp_time_wait_fire,
};

static void etp_tw_fire(struct etp_timer *t)
{
	etp_exec_timer(&container_of(t, struct etp_tw, timer)->e,
		       ETP_T_TIME_WAIT);
}

static void etp_entry_timers_init(struct etp_entry *e)
{
	struct etp_conn *c;
	int id;

	if (e->kind == ETP_KIND_TW) {
		etp_timer_init(&container_of(e, struct etp_tw, e)->timer,
			       etp_tw_fire);
		return;
	}
	if (e->kind != ETP_KIND_CONN)
		return;
	c = container_of(e, struct etp_conn, e);
	for (id = 0; id < ETP_T_MAX; id++)
		etp_timer_init(&c->timers[id], etp_conn_fire[id]);
}

void etp_entry_arm(struct etp_entry *e, enum etp_timer_id id, u32 ms)
{
	struct etp_timer *t = etp_entry_timer(e, id);

	if (t && etp_ktimer_mod(&e->en->timers, t, ms) == 0)
		refcount_inc(&e->ref);
}

void etp_entry_cancel(struct etp_entry *e, enum etp_timer_id id)
{
	struct etp_timer *t = etp_entry_timer(e, id);

	/* Never the last reference: the table or the caller holds one. */
	if (t && etp_ktimer_cancel(&e->en->timers, t))
		etp_entry_put(e);
}

static void etp_entry_cancel_timers(struct etp_entry *e)
{
	int id;

	for (id = 0; id < ETP_T_MAX; id++)
		etp_entry_cancel(e, id);
}

/* Milliseconds until the timer fires; -1 if it is not pending. */
s32 etp_entry_timer_left(struct etp_entry *e, enum etp_timer_id id)
{
	struct etp_timer *t = etp_entry_timer(e, id);

	return t ? etp_ktimer_remaining(&e->en->timers, t) : -1;
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
	e = kzalloc(size, gfp);
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
	kfree(e);
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
	if (e->dead)
		return;
	e->dead = true;
	rhashtable_remove_fast(&en->conns, &e->node, etp_rht_params);
	xa_erase_bh(&en->ids, e->id);
	atomic_dec(&en->nconns);
	etp_entry_cancel_timers(e);
	if (e->kind == ETP_KIND_CONN)
		etp_child_done(container_of(e, struct etp_conn, e));
	etp_entry_put(e);
}

/*
 * A connection entering TIME_WAIT hands its place (key, id, tcb) to a
 * compact entry: etp_tw_new() makes it, still unseen; the caller locks it
 * and etp_tw_replace() swaps it in. On failure (memory short, or e no
 * longer hashed) e does TIME_WAIT in full.
 */
struct etp_entry *etp_tw_new(struct etp_entry *e)
{
	struct etp_tw *tw;

	tw = kzalloc(sizeof(*tw), GFP_ATOMIC);
	if (!tw)
		return NULL;
	/* It inherits e's place in max_conns along with the rest. */
	etp_entry_init(&tw->e, e->en, ETP_KIND_TW, &e->key);
	tw->e.id = e->id;
	tw->e.tcb = e->tcb;
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
	rhashtable_destroy(&en->conns);
	xa_destroy(&en->ids);
}
