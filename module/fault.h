/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Deterministic faults (docs/netlink.md, "Faults"): per netns, the next
 * COUNT segments going one way that match a filter are dropped, delayed,
 * duplicated or held until released. A lesson can lose exactly the final
 * ACK, where netem would lose any segment at random.
 */
#ifndef _ETP_FAULT_H
#define _ETP_FAULT_H

#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>

struct etp_net;
struct sk_buff;

/* At most this many faults, and segments parked, per netns. */
#define ETP_FAULTS_MAX		64
#define ETP_PARKED_MAX		1024

struct etp_fault_spec {
	u8 action;		/* enum etp_fault_action */
	u8 dir;			/* enum etp_dir */
	u8 flags;		/* exactly, if has_flags */
	bool has_flags;
	u8 state;		/* 0: any */
	u32 conn_id;		/* 0: any */
	u32 count;		/* segments it applies to */
	u32 delay_ms;		/* ETP_FAULT_DELAY */
};

/* What etp_fault_dump() reports of one fault. */
struct etp_fault_info {
	u32 id;
	struct etp_fault_spec spec;	/* count: what is left of it */
	u32 held;			/* segments it holds now */
};

struct etp_faults {
	spinlock_t lock;	/* rules, parked, next_id */
	struct list_head rules;
	struct list_head parked;
	int nrules;		/* read without the lock: 0 is the fast path */
	u32 nparked;
	u32 next_id;
};

/* The fault that applies to a segment, if any. */
struct etp_fault_hit {
	u8 action;		/* 0: none */
	u32 id;
	u32 delay_ms;
};

void etp_faults_init(struct etp_faults *f);
/* Netns exit, after the wheel stopped: every parked segment is freed. */
void etp_faults_exit(struct etp_net *en);

/*
 * Does a fault apply to this segment (going dir, with these flags, of the
 * connection id in state)? Uses one of the fault's COUNT if so.
 */
bool etp_fault_match(struct etp_net *en, u8 dir, u8 flags, u8 state, u32 id,
		     struct etp_fault_hit *hit);
/*
 * Keep skb for a delay or until released; false when too many are parked
 * already (the segment then goes on unharmed). An inbound skb goes back
 * through etp_rcv_again(), an outbound one to ip_local_out().
 */
bool etp_fault_park(struct etp_net *en, struct sk_buff *skb, u8 dir,
		    const struct etp_fault_hit *hit);

/*
 * Carry out hit on skb going dir: the skb to go on with now (no fault, a
 * duplicate whose copy is *dup and goes first, or no room to park it), or
 * NULL when the fault took it (dropped, or parked for later). Counted.
 */
struct sk_buff *etp_fault_apply(struct etp_net *en, struct sk_buff *skb,
				u8 dir, const struct etp_fault_hit *hit,
				struct sk_buff **dup);

int etp_fault_add(struct etp_net *en, const struct etp_fault_spec *spec,
		  u32 *id);
int etp_fault_del(struct etp_net *en, u32 id);
void etp_fault_flush(struct etp_net *en);
/* Send held segments on (those of fault id, or all if 0): how many. */
u32 etp_fault_release(struct etp_net *en, u32 id);
/* The first fault with an id above after: 0, or -ENOENT. */
int etp_fault_next(struct etp_net *en, u32 after, struct etp_fault_info *fi);

#endif /* _ETP_FAULT_H */
