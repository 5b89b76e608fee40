/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Connections: what the table holds, how long it lives, who may touch it.
 *
 * Every table entry starts with struct etp_entry: its 4-tuple key, its id,
 * a refcount and the lock that serialises the core state machine for it.
 * Three kinds share the table: listeners (key: local port only), full
 * connections, and compact TIME_WAIT entries that keep only the tcb and
 * the one timer 2 x MSL needs.
 *
 * References: the table holds one, every pending timer holds one, and every
 * user (receive path, netlink request, timer callback) holds one while it
 * works. Entries are freed after an RCU grace period, because the receive
 * path looks them up under rcu_read_lock() only.
 */
#ifndef _ETP_CONN_H
#define _ETP_CONN_H

#include <linux/rhashtable-types.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/atomic.h>

#include "core/fsm.h"
#include "core/wheel.h"

struct etp_net;
struct genl_info;
struct sk_buff;

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
	bool dead;		/* unhashed: no more events for it */
	refcount_t ref;
	spinlock_t lock;	/* tcb, dead, arming of its timers */
	struct etp_net *en;
	struct etp_tcb tcb;
	struct rcu_head rcu;
};

struct etp_listener {
	struct etp_entry e;
	u32 backlog;
	atomic_t queue;		/* children in SYN_RCVD */
};

struct etp_conn {
	struct etp_entry e;
	struct etp_timer timers[ETP_T_MAX];
	/* A child in SYN_RCVD pins its listener and counts in its queue. */
	struct etp_listener *listener;
	u32 listener_id;
};

struct etp_tw {
	struct etp_entry e;
	struct etp_timer timer;	/* ETP_T_TIME_WAIT */
};

/* conn.c: table, ids, lifetime */
int etp_conns_init(struct etp_net *en);
void etp_conns_exit(struct etp_net *en);
struct etp_entry *etp_lookup(struct etp_net *en, __be32 laddr, __be32 raddr,
			     __be16 lport, __be16 rport);
struct etp_entry *etp_entry_get_attr(struct etp_net *en,
				     struct genl_info *info);
void etp_entry_put(struct etp_entry *e);
void etp_entry_unhash(struct etp_entry *e);
void etp_child_done(struct etp_conn *c);
struct etp_entry *etp_tw_alloc(struct etp_entry *e);
bool etp_tw_replace(struct etp_entry *e, struct etp_entry *tw);
struct etp_conn *etp_child_alloc(struct etp_listener *l,
				 const struct etp_fsm_params *p, __be32 laddr,
				 __be32 raddr, __be16 rport);
int etp_entry_hash(struct etp_entry *e);
void etp_child_free(struct etp_conn *c);
void etp_fsm_params_get(struct etp_net *en, struct etp_fsm_params *p);
u32 etp_isn(__be32 saddr, __be32 daddr, __be16 sport, __be16 dport);

/*
 * conn.c: user calls, under genl_mutex, errors with extack. listen and
 * connect hand back the new entry with a reference: over veth the whole
 * handshake (or the refusal) may be over before the caller replies.
 */
int etp_listen(struct etp_net *en, u16 port, u32 backlog,
	       struct genl_info *info, struct etp_entry **ret);
int etp_unlisten(struct etp_net *en, u16 port, struct genl_info *info);
int etp_connect(struct etp_net *en, __be32 laddr, __be32 raddr, u16 lport,
		u16 rport, struct genl_info *info, struct etp_entry **ret);
int etp_close(struct etp_net *en, bool abort, struct genl_info *info);

/* exec.c: carry out what the state machine decided; e->lock held */
void etp_exec(struct etp_entry *e, struct etp_actions *act,
	      struct sk_buff *in);
struct etp_timer *etp_entry_timer(struct etp_entry *e, enum etp_timer_id id);
void etp_entry_timers_init(struct etp_entry *e);
void etp_entry_cancel_timers(struct etp_entry *e);
int etp_errno(enum etp_error err);	/* negative, or 0 */

/* output.c */
void etp_output(struct etp_net *en, const struct etp_key *key,
		const struct etp_seg *out);
void etp_output_reply(struct etp_net *en, struct sk_buff *in,
		      const struct etp_seg *out);

/* netlink.c */
void etp_nl_state_event(struct etp_entry *e, const struct etp_actions *act);
int etp_nl_fill_entry(struct sk_buff *skb, struct etp_entry *e);

#endif /* _ETP_CONN_H */
