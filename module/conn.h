/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Connections: what the table holds, how long it lives, who may touch it.
 *
 * Every table entry starts with struct etp_entry: its 4-tuple key, its id,
 * a refcount and the lock that serialises the core state machine for it.
 * Three kinds share the table: listeners (key: local port only), full
 * connections, and compact TIME_WAIT entries that keep only what TIME_WAIT
 * reads of the tcb (core/tw.h) and the one timer 2 x MSL needs.
 *
 * A connection that ends with received data its user has not read yet
 * leaves the table by key (segments no longer find it, its 4-tuple is
 * free) but stays by id until the data is read, it is aborted, or
 * linger_ms passes: "retired".
 *
 * References: the table holds one, every pending timer holds one, and every
 * user (receive path, netlink request, timer callback) holds one while it
 * works. Entries are freed after an RCU grace period, because the receive
 * path looks them up under rcu_read_lock() only.
 *
 * Size matters: an idle ESTABLISHED connection must stay within 256
 * octets and a TIME_WAIT entry within 128 (issue 11; static assertions in
 * conn.c), and an octet added to one of them is one too many.
 */
#ifndef _ETP_CONN_H
#define _ETP_CONN_H

#include <linux/atomic.h>
#include <linux/rhashtable-types.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>

#include "core/fsm.h"
#include "core/tw.h"
#include "core/wheel.h"

struct etp_net;

/* Listeners: laddr, raddr and rport are zero. */
struct etp_key {
	__be32 laddr;
	__be32 raddr;
	__be16 lport;
	__be16 rport;
};

enum etp_kind {
	ETP_KIND_LISTENER,
	ETP_KIND_CONN,
	ETP_KIND_TW,
};

struct etp_entry {
	struct rhash_head node;
	struct etp_key key;
	u32 id;
	u8 kind;
	bool dead;		/* unhashed or retired: no more events for it */
	bool retired;		/* ended, unread data kept: by id only */
	refcount_t ref;
	spinlock_t lock;	/* tcb, dead, arming of its timers */
	struct etp_net *en;
	/* The rcu_head of each kind follows: conn and tw reuse their timer's. */
};

struct etp_listener {
	struct etp_entry e;
	struct rcu_head rcu;
	struct etp_tcb tcb;
	u32 backlog;
	atomic_t queue;		/* children in SYN_RCVD */
};

/*
 * A pending timer holds a reference, so once the last one is gone the
 * timer is idle for good and its memory can carry the RCU callback that
 * frees the entry: an rcu_head of its own would be 16 octets more in every
 * connection and TIME_WAIT entry.
 */
union etp_timer_rcu {
	struct etp_timer timer;
	struct rcu_head rcu;
};

/*
 * One wheel timer per connection, due at the earliest of its slots'
 * deadlines (core/fsm.h: the timer ids share ETP_SLOTS slots): three
 * deadlines cost 12 octets where three timers cost 96.
 */
struct etp_conn {
	struct etp_entry e;
	struct etp_tcb tcb;
	union etp_timer_rcu t;
	u32 due[ETP_SLOTS];	/* the tick each armed slot fires at */
	u8 owner[ETP_SLOTS];	/* the timer id armed there; ETP_T_MAX: none */
	u8 want;		/* ETP_NOTE_*: the user waits to hear of it */
	/* The queues, allocated when data first flows (etp_conn_stream()). */
	struct etp_stream *st;
	/* A child in SYN_RCVD pins its listener and counts in its queue. */
	struct etp_listener *listener;
	u32 listener_id;
};

struct etp_tw {
	struct etp_entry e;
	union etp_timer_rcu t;	/* ETP_T_TIME_WAIT */
	struct etp_tw_tcb tcb;
};

static inline struct etp_conn *etp_conn(struct etp_entry *e)
{
	return e->kind == ETP_KIND_CONN ?
	       container_of(e, struct etp_conn, e) : NULL;
}

/*
 * The tcb of an entry, under its lock, to read or to run the state machine
 * on: a TIME_WAIT entry's compact one is unpacked into *buf, and
 * etp_entry_tcb_done() keeps what the state machine changed in it.
 */
static inline struct etp_tcb *etp_entry_tcb(const struct etp_entry *e,
					    struct etp_tcb *buf)
{
	const struct etp_tw *tw;

	switch (e->kind) {
	case ETP_KIND_CONN:
		return &container_of(e, struct etp_conn, e)->tcb;
	case ETP_KIND_LISTENER:
		return &container_of(e, struct etp_listener, e)->tcb;
	default:
		tw = container_of(e, struct etp_tw, e);
		etp_tw_unpack(buf, &tw->tcb, ntohs(e->key.lport),
			      ntohs(e->key.rport));
		return buf;
	}
}

static inline void etp_entry_tcb_done(struct etp_entry *e,
				      const struct etp_tcb *tcb)
{
	/* Not packable once it ended: the entry is then on its way out. */
	if (e->kind == ETP_KIND_TW && etp_tw_packable(tcb))
		etp_tw_pack(&container_of(e, struct etp_tw, e)->tcb, tcb);
}

/* Without the lock, as a filter: a TIME_WAIT entry's state never changes. */
static inline u8 etp_entry_state(struct etp_entry *e)
{
	switch (e->kind) {
	case ETP_KIND_CONN:
		return READ_ONCE(container_of(e, struct etp_conn, e)->tcb.state);
	case ETP_KIND_LISTENER:
		return READ_ONCE(container_of(e, struct etp_listener,
					      e)->tcb.state);
	default:
		return ETP_STATE_TIME_WAIT;
	}
}

int etp_caches_init(void);
void etp_caches_exit(void);
int etp_conns_init(struct etp_net *en);
void etp_conns_exit(struct etp_net *en);

/* Lookups: a reference the caller puts with etp_entry_put(), or NULL. */
struct etp_entry *etp_lookup(struct etp_net *en, __be32 laddr, __be32 raddr,
			     __be16 lport, __be16 rport);
struct etp_entry *etp_entry_get(struct etp_net *en, u32 id);
void etp_entry_put(struct etp_entry *e);

/*
 * New entries: counted against max_conns, holding the table's reference
 * and the creator's. etp_entry_hash() makes one visible (the caller holds
 * its lock); one that never became visible goes with etp_entry_discard().
 */
struct etp_listener *etp_listener_new(struct etp_net *en, u16 port,
				      u32 backlog);
struct etp_conn *etp_conn_new(struct etp_net *en, const struct etp_key *key);
struct etp_conn *etp_child_new(struct etp_listener *l, __be32 laddr,
			       __be32 raddr, __be16 rport);
int etp_entry_hash(struct etp_entry *e);
void etp_entry_discard(struct etp_entry *e);

/* Under e->lock (etp_tw_new() makes an entry for etp_tw_replace()). */
void etp_entry_unhash(struct etp_entry *e);
void etp_entry_retire(struct etp_entry *e, u32 linger_ms);
void etp_child_done(struct etp_conn *c);
struct etp_entry *etp_tw_new(struct etp_entry *e);
bool etp_tw_replace(struct etp_entry *e, struct etp_entry *tw);

/*
 * The queues of c, made on first use (under c's lock, so GFP_ATOMIC):
 * NULL if memory is short.
 */
struct etp_stream *etp_conn_stream(struct etp_conn *c);

struct page;
/* A received page as a receive queue chunk (conn.c), or NULL: copy it. */
void *etp_chunk_adopt(void *owner, struct page *page);

/*
 * Timers of an entry, under its lock; listeners have none, TIME_WAIT
 * entries only ETP_T_TIME_WAIT. etp_entry_timers() cancels the ids in
 * cancel, then arms those in arm for ms[id] milliseconds.
 */
void etp_entry_timers(struct etp_entry *e, u32 cancel, u32 arm,
		      const u32 *ms);
enum etp_timer_id etp_entry_timer_take(struct etp_entry *e);
void etp_entry_timers_sync(struct etp_entry *e);
s32 etp_entry_timer_left(struct etp_entry *e, enum etp_timer_id id);

/*
 * The first entry whose id is *id or above, with a reference, *id set to
 * its id; NULL at the end. Entries that come and go meanwhile are seen or
 * not, never twice: walk with *id + 1 from one call to the next.
 */
struct etp_entry *etp_entry_next(struct etp_net *en, unsigned long *id);

#endif /* _ETP_CONN_H */
