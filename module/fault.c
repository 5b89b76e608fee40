// SPDX-License-Identifier: GPL-2.0
/*
 * Deterministic faults. Rules live in a short per-netns list under a
 * spinlock; the receive and transmit paths look at it only when it is not
 * empty (one READ_ONCE), so faults cost nothing until someone sets one.
 * Delayed and held segments are parked on a list the netns owns; a delay
 * runs on the netns's timer wheel, so netns exit (after the wheel stops)
 * and module removal free whatever is still parked.
 */
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <net/dst.h>
#include <net/ip.h>
#include <uapi/linux/etp.h>

#include "fault.h"
#include "input.h"
#include "main.h"

struct etp_fault {
	struct list_head node;
	u32 id;
	struct etp_fault_spec spec;	/* count: what is left */
};

struct etp_parked {
	struct list_head node;
	struct etp_timer timer;		/* ETP_FAULT_DELAY */
	struct sk_buff *skb;
	struct etp_net *en;
	u32 fault_id;
	u8 dir;
	bool held;			/* until released, not timed */
};

void etp_faults_init(struct etp_faults *f)
{
	spin_lock_init(&f->lock);
	INIT_LIST_HEAD(&f->rules);
	INIT_LIST_HEAD(&f->parked);
	f->nrules = 0;
	f->nparked = 0;
	f->next_id = 1;
}

static void etp_parked_free(struct etp_parked *pk)
{
	kfree_skb(pk->skb);
	kfree(pk);
}

void etp_faults_exit(struct etp_net *en)
{
	struct etp_faults *f = &en->faults;
	struct etp_parked *pk, *pn;
	struct etp_fault *r, *rn;

	list_for_each_entry_safe(pk, pn, &f->parked, node) {
		/* The wheel has stopped: no expiry can be running. */
		etp_ktimer_cancel(&en->timers, &pk->timer);
		etp_parked_free(pk);
	}
	list_for_each_entry_safe(r, rn, &f->rules, node)
		kfree(r);
	INIT_LIST_HEAD(&f->parked);
	INIT_LIST_HEAD(&f->rules);
}

static bool etp_fault_matches(const struct etp_fault_spec *s, u8 dir,
			      u8 flags, u8 state, u32 id)
{
	return s->dir == dir && (!s->has_flags || s->flags == flags) &&
	       (!s->state || s->state == state) &&
	       (!s->conn_id || s->conn_id == id);
}

bool etp_fault_match(struct etp_net *en, u8 dir, u8 flags, u8 state, u32 id,
		     struct etp_fault_hit *hit)
{
	struct etp_faults *f = &en->faults;
	struct etp_fault *r;

	if (!READ_ONCE(f->nrules))
		return false;
	spin_lock_bh(&f->lock);
	list_for_each_entry(r, &f->rules, node) {
		if (!r->spec.count ||
		    !etp_fault_matches(&r->spec, dir, flags, state, id))
			continue;
		r->spec.count--;
		hit->action = r->spec.action;
		hit->id = r->id;
		hit->delay_ms = r->spec.delay_ms;
		spin_unlock_bh(&f->lock);
		return true;
	}
	spin_unlock_bh(&f->lock);
	return false;
}

/* Where a parked segment goes when its time comes. */
static void etp_parked_deliver(struct etp_net *en, struct sk_buff *skb,
			       u8 dir)
{
	if (dir == ETP_DIR_OUT)
		ip_local_out(en->net, NULL, skb);
	else
		etp_rcv_again(en, skb);
}

static void etp_parked_fire(struct etp_timer *t)
{
	struct etp_parked *pk = container_of(t, struct etp_parked, timer);
	struct etp_faults *f = &pk->en->faults;

	spin_lock(&f->lock);
	list_del(&pk->node);
	f->nparked--;
	spin_unlock(&f->lock);
	etp_parked_deliver(pk->en, pk->skb, pk->dir);
	kfree(pk);
}

bool etp_fault_park(struct etp_net *en, struct sk_buff *skb, u8 dir,
		    const struct etp_fault_hit *hit)
{
	struct etp_faults *f = &en->faults;
	struct etp_parked *pk;

	pk = kzalloc(sizeof(*pk), GFP_ATOMIC);
	if (!pk)
		return false;
	if (dir == ETP_DIR_IN) {
		/*
		 * A received skb borrows its device and route under RCU:
		 * a parked one must not, the device may go meanwhile.
		 */
		skb_dst_drop(skb);
		skb->dev = NULL;
	}
	pk->skb = skb;
	pk->en = en;
	pk->dir = dir;
	pk->fault_id = hit->id;
	pk->held = hit->action == ETP_FAULT_HOLD;
	etp_timer_init(&pk->timer, etp_parked_fire);
	spin_lock_bh(&f->lock);
	if (f->nparked >= ETP_PARKED_MAX) {
		spin_unlock_bh(&f->lock);
		kfree(pk);
		return false;
	}
	list_add_tail(&pk->node, &f->parked);
	f->nparked++;
	/* Under the lock: the expiry takes it off the list under it too. */
	if (!pk->held)
		etp_ktimer_mod(&en->timers, &pk->timer, hit->delay_ms);
	spin_unlock_bh(&f->lock);
	return true;
}

struct sk_buff *etp_fault_apply(struct etp_net *en, struct sk_buff *skb,
				u8 dir, const struct etp_fault_hit *hit,
				struct sk_buff **dup)
{
	*dup = NULL;
	switch (hit->action) {
	case ETP_FAULT_DROP:
		etp_inc(en, ETP_MIB_FAULTS_DROPPED);
		kfree_skb(skb);
		return NULL;
	case ETP_FAULT_DUP:
		/* A copy, not a clone: each goes its own way and may be changed. */
		*dup = skb_copy(skb, GFP_ATOMIC);
		if (*dup)
			etp_inc(en, ETP_MIB_FAULTS_DUPLICATED);
		return skb;
	case ETP_FAULT_DELAY:
	case ETP_FAULT_HOLD:
		if (!etp_fault_park(en, skb, dir, hit)) {
			etp_inc(en, ETP_MIB_FAULTS_OVERFLOW);
			return skb;
		}
		etp_inc(en, hit->action == ETP_FAULT_HOLD ?
			ETP_MIB_FAULTS_HELD : ETP_MIB_FAULTS_DELAYED);
		return NULL;
	default:
		return skb;
	}
}

int etp_fault_add(struct etp_net *en, const struct etp_fault_spec *spec,
		  u32 *id)
{
	struct etp_faults *f = &en->faults;
	struct etp_fault *r;

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	r->spec = *spec;
	spin_lock_bh(&f->lock);
	if (f->nrules >= ETP_FAULTS_MAX) {
		spin_unlock_bh(&f->lock);
		kfree(r);
		return -ENOSPC;
	}
	r->id = f->next_id++;
	list_add_tail(&r->node, &f->rules);
	WRITE_ONCE(f->nrules, f->nrules + 1);
	spin_unlock_bh(&f->lock);
	*id = r->id;
	return 0;
}

static void etp_fault_unlink(struct etp_faults *f, struct etp_fault *r)
{
	list_del(&r->node);
	WRITE_ONCE(f->nrules, f->nrules - 1);
	kfree(r);
}

int etp_fault_del(struct etp_net *en, u32 id)
{
	struct etp_faults *f = &en->faults;
	struct etp_fault *r;

	spin_lock_bh(&f->lock);
	list_for_each_entry(r, &f->rules, node) {
		if (r->id == id) {
			etp_fault_unlink(f, r);
			spin_unlock_bh(&f->lock);
			return 0;
		}
	}
	spin_unlock_bh(&f->lock);
	return -ENOENT;
}

void etp_fault_flush(struct etp_net *en)
{
	struct etp_faults *f = &en->faults;
	struct etp_fault *r, *rn;

	spin_lock_bh(&f->lock);
	list_for_each_entry_safe(r, rn, &f->rules, node)
		etp_fault_unlink(f, r);
	spin_unlock_bh(&f->lock);
}

u32 etp_fault_release(struct etp_net *en, u32 id)
{
	struct etp_faults *f = &en->faults;
	struct etp_parked *pk, *pn;
	LIST_HEAD(go);
	u32 n = 0;

	spin_lock_bh(&f->lock);
	list_for_each_entry_safe(pk, pn, &f->parked, node) {
		if (!pk->held || (id && pk->fault_id != id))
			continue;
		list_move_tail(&pk->node, &go);
		f->nparked--;
		n++;
	}
	spin_unlock_bh(&f->lock);
	/* In the order they were held, as the receive path would run them. */
	local_bh_disable();
	list_for_each_entry_safe(pk, pn, &go, node) {
		etp_parked_deliver(en, pk->skb, pk->dir);
		kfree(pk);
	}
	local_bh_enable();
	etp_add(en, ETP_MIB_FAULTS_RELEASED, n);
	return n;
}

int etp_fault_next(struct etp_net *en, u32 after, struct etp_fault_info *fi)
{
	struct etp_faults *f = &en->faults;
	struct etp_parked *pk;
	struct etp_fault *r;
	int err = -ENOENT;

	spin_lock_bh(&f->lock);
	list_for_each_entry(r, &f->rules, node) {
		/* Ids only grow, and the list is in the order they were made. */
		if (r->id <= after)
			continue;
		fi->id = r->id;
		fi->spec = r->spec;
		fi->held = 0;
		list_for_each_entry(pk, &f->parked, node)
			fi->held += pk->held && pk->fault_id == r->id;
		err = 0;
		break;
	}
	spin_unlock_bh(&f->lock);
	return err;
}
