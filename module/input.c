// SPDX-License-Identifier: GPL-2.0
/*
 * Receive path: every etp segment for every netns enters here. Validate
 * what the wire format promises (length, checksum, header fields) before any
 * lookup, and count each drop by its reason in the receiving netns only.
 */
#include <linux/skbuff.h>
#include <linux/ip.h>
#include <net/ip.h>
#include <net/checksum.h>

#include "conn.h"
#include "core/wire.h"
#include "exec.h"
#include "input.h"
#include "isn.h"
#include "main.h"
#include "output.h"
#include "trace.h"

static const enum etp_mib etp_wire_drop[] = {
	[ETP_WIRE_SHORT]	= ETP_MIB_DROP_SHORT,
	[ETP_WIRE_BAD_OFFSET]	= ETP_MIB_DROP_OFFSET,
	[ETP_WIRE_BAD_VERSION]	= ETP_MIB_DROP_VERSION,
	[ETP_WIRE_BAD_FLAGS]	= ETP_MIB_DROP_FLAGS,
	[ETP_WIRE_BAD_OPTION]	= ETP_MIB_DROP_OPTION,
};

/*
 * No NIC offloads protocol 253, so the checksum is checked in software over
 * the IPv4 pseudo-header, with the kernel's own helpers.
 */
static bool etp_csum_ok(struct sk_buff *skb)
{
	if (skb_checksum_init(skb, etp_proto, inet_compute_pseudo))
		return false;
	return !skb_checksum_complete(skb);
}

/*
 * Make the largest possible header linear before decoding, so the decoder
 * sees options without knowing about skbs.
 */
static enum etp_wire_err etp_parse(struct sk_buff *skb, struct etp_seg *seg)
{
	if (!pskb_may_pull(skb, min_t(unsigned int, skb->len, ETP_HDR_MAX)))
		return ETP_WIRE_SHORT;
	return etp_wire_decode(skb->data, skb->len, seg);
}

/* No connection and no listener: RFC 9293 3.10.7.1, never a RST for a RST. */
static void etp_rcv_no_conn(struct etp_net *en, struct sk_buff *skb,
			    const struct etp_seg *seg)
{
	struct etp_seg rst;

	etp_inc(en, ETP_MIB_DROP_NOCONN);
	if (etp_fsm_reset_for(seg, &rst))
		etp_output_reply(en, skb, &rst);
}

/* A SYN that the listener accepts becomes a child in SYN_RCVD. */
static void etp_rcv_accept(struct etp_listener *l, struct sk_buff *skb,
			   const struct etp_seg *seg)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct etp_actions act;
	struct etp_params p;
	struct etp_conn *c;
	struct etp_ev ev;
	u32 iss;

	c = etp_child_new(l, iph->daddr, iph->saddr, htons(seg->sport));
	if (!c)
		return;
	etp_ev_init(l->e.en, &ev, &p);
	etp_fsm_init(&c->e.tcb, &p, ntohs(c->e.key.lport), seg->sport);
	spin_lock_nested(&c->e.lock, SINGLE_DEPTH_NESTING);
	if (etp_entry_hash(&c->e)) {
		spin_unlock(&c->e.lock);
		etp_entry_discard(&c->e);
		return;
	}
	iss = etp_isn(iph->daddr, iph->saddr, htons(seg->dport),
		      htons(seg->sport));
	etp_fsm_open_passive(&c->e.tcb, &ev, seg, iss, &act);
	etp_exec(&c->e, &act, skb);
	spin_unlock(&c->e.lock);
	etp_entry_put(&c->e);
}

static void etp_rcv_listener(struct etp_listener *l, struct sk_buff *skb,
			     const struct etp_seg *seg)
{
	struct etp_actions act;

	spin_lock(&l->e.lock);
	if (l->e.dead) {
		spin_unlock(&l->e.lock);
		etp_rcv_no_conn(l->e.en, skb, seg);
		return;
	}
	if (etp_fsm_listen(seg, &act))
		etp_rcv_accept(l, skb, seg);
	else
		etp_exec(&l->e, &act, skb);
	spin_unlock(&l->e.lock);
}

static void etp_rcv_entry(struct etp_entry *e, struct sk_buff *skb,
			  const struct etp_seg *seg)
{
	struct etp_actions act;
	struct etp_params p;
	struct etp_ev ev;

	etp_ev_init(e->en, &ev, &p);
	spin_lock(&e->lock);
	if (e->dead) {
		/* Gone while we looked it up: as if it had never been. */
		spin_unlock(&e->lock);
		etp_rcv_no_conn(e->en, skb, seg);
		return;
	}
	etp_fsm_segment(&e->tcb, &ev, seg, &act);
	etp_exec(e, &act, skb);
	spin_unlock(&e->lock);
}

int etp_rcv(struct sk_buff *skb)
{
	struct etp_net *en = etp_pernet(dev_net(skb->dev));
	const struct iphdr *iph;
	enum etp_wire_err werr;
	struct etp_entry *e;
	struct etp_seg seg;

	/* Netns exit has begun (etp_net_pre_exit): touch nothing of it. */
	if (READ_ONCE(en->dying))
		goto drop;
	etp_inc(en, ETP_MIB_IN_SEGS);

	if (skb->pkt_type != PACKET_HOST)
		goto drop;
	if (skb->len < ETP_HDR_LEN) {
		etp_inc(en, ETP_MIB_DROP_SHORT);
		goto drop;
	}
	if (!etp_csum_ok(skb)) {
		etp_inc(en, ETP_MIB_DROP_CSUM);
		goto drop;
	}
	werr = etp_parse(skb, &seg);
	if (werr != ETP_WIRE_OK) {
		etp_inc(en, etp_wire_drop[werr]);
		goto drop;
	}

	iph = ip_hdr(skb);
	trace_etp_segment_in(iph->saddr, iph->daddr, &seg);
	e = etp_lookup(en, iph->daddr, iph->saddr, htons(seg.dport),
		       htons(seg.sport));
	if (!e)
		etp_rcv_no_conn(en, skb, &seg);
	else if (e->kind == ETP_KIND_LISTENER)
		etp_rcv_listener(container_of(e, struct etp_listener, e), skb,
				 &seg);
	else
		etp_rcv_entry(e, skb, &seg);
	if (e)
		etp_entry_put(e);
drop:
	kfree_skb(skb);
	return 0;
}

/* ICMP errors about our segments: nothing to tell a connection yet. */
int etp_err(struct sk_buff *skb, u32 info)
{
	return 0;
}
