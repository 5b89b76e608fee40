// SPDX-License-Identifier: GPL-2.0
/*
 * The per-netns connection table: an rhashtable by 4-tuple for the receive
 * path (RCU lookups), an xarray by id for netlink, and the lifetime rules
 * of conn.h. User calls (listen, connect, close, abort) enter the state
 * machine here; everything they decide is carried out by etp_exec().
 */
#include <linux/rhashtable.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/random.h>
#include <linux/ktime.h>
#include <net/genetlink.h>
#include <net/route.h>
#include <uapi/linux/etp.h>

#include "etp.h"
#include "conn.h"

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

/* Local ports picked for CONNECT without one, as Linux's default range. */
#define ETP_EPHEMERAL_LO	32768
#define ETP_EPHEMERAL_N		28232

static siphash_key_t etp_isn_key __read_mostly;

/*
 * RFC 6528: ISN = M + F(4-tuple, secret), M a clock ticking every 64 ns
 * (as Linux's secure_tcp_seq) and F a keyed siphash, so ISNs are neither
 * guessable off-path nor reused soon by a new incarnation of the tuple.
 */
u32 etp_isn(__be32 saddr, __be32 daddr, __be16 sport, __be16 dport)
{
	u32 hash;

	net_get_random_once(&etp_isn_key, sizeof(etp_isn_key));
	hash = siphash_3u32((__force u32)saddr, (__force u32)daddr,
			    (__force u32)sport << 16 | (__force u32)dport,
			    &etp_isn_key);
	return hash + (u32)(ktime_get_real_ns() >> 6);
}

void etp_fsm_params_get(struct etp_net *en, struct etp_fsm_params *p)
{
	etp_fsm_params_default(p);
	p->msl_ms = READ_ONCE(en->params.msl_ms);
	p->rto_initial_ms = READ_ONCE(en->params.rto_initial_ms);
	p->syn_retries = READ_ONCE(en->params.syn_retries);
	p->retries = READ_ONCE(en->params.retries);
	p->fin_wait2_ms = READ_ONCE(en->params.fin_wait2_ms);
}

int etp_conns_init(struct etp_net *en)
{
	xa_init_flags(&en->ids, XA_FLAGS_ALLOC1 | XA_FLAGS_LOCK_BH);
	atomic_set(&en->nconns, 0);
	/* RFC 5961 section 7: at most 1000 challenge ACKs a second. */
	ratelimit_state_init(&en->challenge_rl, HZ, 1000);
	ratelimit_set_flags(&en->challenge_rl, RATELIMIT_MSG_ON_RELEASE);
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
 * The connection a segment belongs to, else the listener on its port: a
 * reference the caller must put, or NULL.
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

/*
 * The entry ETP_A_CONN_ID names, with a reference; NULL, with the extack
 * set, if there is none.
 */
struct etp_entry *etp_entry_get_attr(struct etp_net *en,
				     struct genl_info *info)
{
	struct nlattr *attr = info->attrs[ETP_A_CONN_ID];
	struct etp_entry *e;

	rcu_read_lock();
	e = etp_entry_tryget(xa_load(&en->ids, nla_get_u32(attr)));
	rcu_read_unlock();
	if (!e)
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "ETP_A_CONN_ID: no such connection");
	return e;
}

/* Fresh entry holding two references: the table's and the creator's. */
static void etp_entry_init(struct etp_entry *e, struct etp_net *en, u8 kind,
			   const struct etp_key *key)
{
	e->key = *key;
	e->kind = kind;
	e->en = en;
	refcount_set(&e->ref, 2);
	spin_lock_init(&e->lock);
}

static bool etp_conn_quota(struct etp_net *en)
{
	if (atomic_inc_return(&en->nconns) <= READ_ONCE(en->params.max_conns))
		return true;
	atomic_dec(&en->nconns);
	etp_inc(en, ETP_MIB_CONN_LIMIT);
	return false;
}

/*
 * Make a new, locked entry visible: by key, then by id. On failure it was
 * never seen by anyone, and the caller frees it.
 */
int etp_entry_hash(struct etp_entry *e)
{
	struct etp_net *en = e->en;
	int err;

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

void etp_child_done(struct etp_conn *c)
{
	struct etp_listener *l = c->listener;

	if (!l)
		return;
	c->listener = NULL;
	atomic_dec(&l->queue);
	etp_entry_put(&l->e);
}

/*
 * Take e out of the table and the id space, stop its timers and drop the
 * table's reference. The caller holds e->lock and a reference of its own.
 */
void etp_entry_unhash(struct etp_entry *e)
{
	struct etp_net *en = e->en;

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
 * compact entry: etp_tw_alloc() makes it, still private; the caller locks
 * it and etp_tw_replace() swaps it in. On failure (memory short, or e no
 * longer hashed) e does TIME_WAIT in full.
 */
struct etp_entry *etp_tw_alloc(struct etp_entry *e)
{
	struct etp_tw *tw;

	tw = kzalloc(sizeof(*tw), GFP_ATOMIC);
	if (!tw)
		return NULL;
	etp_entry_init(&tw->e, e->en, ETP_KIND_TW, &e->key);
	tw->e.id = e->id;
	tw->e.tcb = e->tcb;
	etp_entry_timers_init(&tw->e);
	return &tw->e;
}

/* e and tw are locked; on success tw has taken e's place and e is gone. */
bool etp_tw_replace(struct etp_entry *e, struct etp_entry *tw)
{
	struct etp_net *en = e->en;

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
 * A SYN reached listener l (locked): a child for SYN_RCVD, counted in l's
 * queue and the netns limit, not yet hashed (etp_child_hash()). NULL when
 * the backlog or the netns limit is full, or memory is short.
 */
struct etp_conn *etp_child_alloc(struct etp_listener *l,
				 const struct etp_fsm_params *p, __be32 laddr,
				 __be32 raddr, __be16 rport)
{
	struct etp_net *en = l->e.en;
	struct etp_key key = {
		.laddr = laddr, .raddr = raddr,
		.lport = l->e.key.lport, .rport = rport,
	};
	struct etp_conn *c;

	if (!atomic_add_unless(&l->queue, 1, l->backlog)) {
		etp_inc(en, ETP_MIB_LISTEN_OVERFLOW);
		return NULL;
	}
	if (!etp_conn_quota(en))
		goto unqueue;
	c = kzalloc(sizeof(*c), GFP_ATOMIC);
	if (!c)
		goto unquota;
	etp_entry_init(&c->e, en, ETP_KIND_CONN, &key);
	etp_entry_timers_init(&c->e);
	etp_fsm_init(&c->e.tcb, p, ntohs(key.lport), ntohs(rport));
	refcount_inc(&l->e.ref);
	c->listener = l;
	c->listener_id = l->e.id;
	return c;

unquota:
	atomic_dec(&en->nconns);
unqueue:
	atomic_dec(&l->queue);
	return NULL;
}

/* A child that never became visible (etp_entry_hash() failed). */
void etp_child_free(struct etp_conn *c)
{
	etp_child_done(c);
	atomic_dec(&c->e.en->nconns);
	kfree(c);
}

int etp_listen(struct etp_net *en, u16 port, u32 backlog,
	       struct genl_info *info, struct etp_entry **ret)
{
	struct etp_key key = { .lport = htons(port) };
	struct etp_fsm_params p;
	struct etp_actions act;
	struct etp_listener *l;
	int err;

	if (!etp_conn_quota(en)) {
		NL_SET_ERR_MSG(info->extack, "connection limit (max_conns) reached");
		return -EUSERS;
	}
	l = kzalloc(sizeof(*l), GFP_KERNEL);
	if (!l) {
		atomic_dec(&en->nconns);
		return -ENOMEM;
	}
	etp_entry_init(&l->e, en, ETP_KIND_LISTENER, &key);
	l->backlog = backlog;
	etp_fsm_params_get(en, &p);
	etp_fsm_init(&l->e.tcb, &p, port, 0);

	spin_lock_bh(&l->e.lock);
	err = etp_entry_hash(&l->e);
	if (err) {
		spin_unlock_bh(&l->e.lock);
		kfree(l);
		atomic_dec(&en->nconns);
		if (err == -EEXIST) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    info->attrs[ETP_A_LOCAL_PORT],
					    "ETP_A_LOCAL_PORT already has a listener");
			return -EADDRINUSE;
		}
		return err;
	}
	etp_fsm_open_listen(&l->e.tcb, &act);
	etp_exec(&l->e, &act, NULL);
	spin_unlock_bh(&l->e.lock);
	*ret = &l->e;
	return 0;
}

/* Reset the handshakes in progress that belong to listener id lid. */
static void etp_reset_children(struct etp_net *en, u32 lid)
{
	struct etp_actions act;
	struct etp_entry *e;
	unsigned long id;

	/* Entries found under RCU stay valid until their refcount is taken. */
	rcu_read_lock();
	xa_for_each(&en->ids, id, e) {
		struct etp_conn *c;

		if (e->kind != ETP_KIND_CONN ||
		    !refcount_inc_not_zero(&e->ref))
			continue;
		c = container_of(e, struct etp_conn, e);
		spin_lock_bh(&e->lock);
		if (!e->dead && c->listener && c->listener_id == lid &&
		    etp_fsm_abort(&e->tcb, &act))
			etp_exec(e, &act, NULL);
		spin_unlock_bh(&e->lock);
		etp_entry_put(e);
	}
	rcu_read_unlock();
}

/*
 * 6.1 has no formatted extack messages, and extack keeps only a pointer:
 * one literal per state.
 */
#define ETP_REFUSE(s) \
	[ETP_##s] = "ETP_A_CONN_ID: not valid in state " #s

static const char * const etp_refuse_msg[ETP_STATE_END] = {
	ETP_REFUSE(CLOSED), ETP_REFUSE(LISTEN), ETP_REFUSE(SYN_SENT),
	ETP_REFUSE(SYN_RCVD), ETP_REFUSE(ESTABLISHED), ETP_REFUSE(FIN_WAIT_1),
	ETP_REFUSE(FIN_WAIT_2), ETP_REFUSE(CLOSE_WAIT), ETP_REFUSE(CLOSING),
	ETP_REFUSE(LAST_ACK), ETP_REFUSE(TIME_WAIT),
};

static void etp_refuse_in_state(struct genl_info *info, enum etp_state state)
{
	const char *msg = NULL;

	if (state < ETP_STATE_END)
		msg = etp_refuse_msg[state];
	if (info->extack && msg)
		info->extack->_msg = msg;
	NL_SET_BAD_ATTR(info->extack, info->attrs[ETP_A_CONN_ID]);
}

static int etp_close_entry(struct etp_entry *e, bool abort,
			   struct genl_info *info)
{
	struct etp_fsm_params p;
	struct etp_actions act;
	bool listener = e->kind == ETP_KIND_LISTENER;
	enum etp_state state = ETP_CLOSED;
	u32 id = e->id;
	bool ok = false;

	etp_fsm_params_get(e->en, &p);
	spin_lock_bh(&e->lock);
	if (!e->dead) {
		state = e->tcb.state;
		ok = abort ? etp_fsm_abort(&e->tcb, &act) :
			     etp_fsm_close(&e->tcb, &p, &act);
		if (ok)
			etp_exec(e, &act, NULL);
	}
	spin_unlock_bh(&e->lock);
	if (!ok) {
		etp_refuse_in_state(info, state);
		return -EINVAL;
	}
	if (listener)
		etp_reset_children(e->en, id);
	return 0;
}

int etp_unlisten(struct etp_net *en, u16 port, struct genl_info *info)
{
	struct etp_key key = { .lport = htons(port) };
	struct etp_entry *e;
	int err;

	rcu_read_lock();
	e = etp_entry_tryget(etp_find(en, &key));
	rcu_read_unlock();
	if (!e) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[ETP_A_LOCAL_PORT],
				    "ETP_A_LOCAL_PORT has no listener");
		return -ENOENT;
	}
	err = etp_close_entry(e, false, info);
	etp_entry_put(e);
	return err;
}

int etp_close(struct etp_net *en, bool abort, struct genl_info *info)
{
	struct etp_entry *e = etp_entry_get_attr(en, info);
	int err;

	if (!e)
		return -ENOENT;
	err = etp_close_entry(e, abort, info);
	etp_entry_put(e);
	return err;
}

/* Hash c under its own port, or under a free ephemeral one if lport is 0. */
static int etp_connect_hash(struct etp_conn *c, u16 lport)
{
	u32 start, i;
	int err;

	if (lport) {
		c->e.key.lport = htons(lport);
		return etp_entry_hash(&c->e);
	}
	start = get_random_u32_below(ETP_EPHEMERAL_N);
	for (i = 0; i < ETP_EPHEMERAL_N; i++) {
		u16 port = ETP_EPHEMERAL_LO + (start + i) % ETP_EPHEMERAL_N;

		c->e.key.lport = htons(port);
		err = etp_entry_hash(&c->e);
		if (err != -EEXIST)
			return err;
		if (i % 64 == 63)
			cond_resched();
	}
	return -EADDRNOTAVAIL;
}

static int etp_connect_route(struct etp_net *en, __be32 *laddr, __be32 raddr,
			     u16 rport, struct genl_info *info)
{
	struct flowi4 fl4;
	struct rtable *rt;

	if (ipv4_is_multicast(raddr) || ipv4_is_lbcast(raddr) ||
	    ipv4_is_zeronet(raddr)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[ETP_A_REMOTE_ADDR],
				    "ETP_A_REMOTE_ADDR must be a unicast address");
		return -EINVAL;
	}
	rt = ip_route_output_ports(en->net, &fl4, NULL, raddr, *laddr,
				   htons(rport), 0, etp_proto, 0, 0);
	if (IS_ERR(rt)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[ETP_A_REMOTE_ADDR],
				    "no route to ETP_A_REMOTE_ADDR from ETP_A_LOCAL_ADDR");
		return PTR_ERR(rt);
	}
	*laddr = fl4.saddr;
	ip_rt_put(rt);
	return 0;
}

int etp_connect(struct etp_net *en, __be32 laddr, __be32 raddr, u16 lport,
		u16 rport, struct genl_info *info, struct etp_entry **ret)
{
	struct etp_fsm_params p;
	struct etp_actions act;
	struct etp_conn *c;
	struct etp_key key;
	int err;

	err = etp_connect_route(en, &laddr, raddr, rport, info);
	if (err)
		return err;
	if (!etp_conn_quota(en)) {
		NL_SET_ERR_MSG(info->extack, "connection limit (max_conns) reached");
		return -EUSERS;
	}
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c) {
		atomic_dec(&en->nconns);
		return -ENOMEM;
	}
	key = (struct etp_key){
		.laddr = laddr, .raddr = raddr, .rport = htons(rport),
	};
	etp_entry_init(&c->e, en, ETP_KIND_CONN, &key);
	etp_entry_timers_init(&c->e);

	spin_lock_bh(&c->e.lock);
	err = etp_connect_hash(c, lport);
	if (err) {
		spin_unlock_bh(&c->e.lock);
		kfree(c);
		atomic_dec(&en->nconns);
		if (err == -EEXIST) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    info->attrs[ETP_A_LOCAL_PORT],
					    "ETP_A_LOCAL_PORT: this 4-tuple is in use");
			return -EADDRINUSE;
		}
		if (err == -EADDRNOTAVAIL)
			NL_SET_ERR_MSG(info->extack, "no free ephemeral port");
		return err;
	}
	etp_fsm_params_get(en, &p);
	etp_fsm_init(&c->e.tcb, &p, ntohs(c->e.key.lport), rport);
	etp_fsm_open_active(&c->e.tcb, &p,
			    etp_isn(laddr, raddr, c->e.key.lport, key.rport),
			    &act);
	etp_exec(&c->e, &act, NULL);
	spin_unlock_bh(&c->e.lock);
	*ret = &c->e;
	return 0;
}

/*
 * Netns exit: the receive path and the timers have stopped (pre_exit and
 * the timer base shutdown), netlink cannot reach a dying netns, so every
 * entry is simply dropped; no segments or events are sent.
 */
void etp_conns_exit(struct etp_net *en)
{
	struct etp_entry *e;
	unsigned long id;

	rcu_read_lock();
	xa_for_each(&en->ids, id, e) {
		if (!refcount_inc_not_zero(&e->ref))
			continue;
		spin_lock_bh(&e->lock);
		etp_entry_unhash(e);
		spin_unlock_bh(&e->lock);
		etp_entry_put(e);
	}
	rcu_read_unlock();
	WARN_ON(atomic_read(&en->nconns));
	rhashtable_destroy(&en->conns);
	xa_destroy(&en->ids);
}
