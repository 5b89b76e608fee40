// SPDX-License-Identifier: GPL-2.0
/*
 * Receive path: every etp segment for every netns enters here. Validate
 * what the wire format promises (length, checksum, header fields) before any
 * lookup, and count each drop by its reason in the receiving netns only.
 */
#include <linux/icmp.h>
#include <linux/skbuff.h>
#include <linux/ip.h>
#include <net/ip.h>
#include <net/checksum.h>

#include "conn.h"
#include "core/names.h"
#include "core/stream.h"
#include "core/wire.h"
#include "exec.h"
#include "input.h"
#include "isn.h"
#include "main.h"
#include "netlink.h"
#include "output.h"
#include "trace.h"

/*
 * What a received skb carries past the IP layer: the fault that delayed,
 * held or duplicated it, so that its event, when it is processed at
 * last, says so (a delayed FIN is drawn as the slanted arrow it is).
 */
struct etp_skb_cb {
	struct etp_fault_hit fault;	/* action 0: none */
};

static struct etp_skb_cb *etp_skb_cb(struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(struct etp_skb_cb) > sizeof_field(struct sk_buff,
							      cb));
	return (struct etp_skb_cb *)skb->cb;
}

static const struct etp_fault_hit *etp_skb_fault(struct sk_buff *skb)
{
	const struct etp_fault_hit *hit = &etp_skb_cb(skb)->fault;

	return hit->action ? hit : NULL;
}

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

/*
 * The segment event of seg, received: taken by e (NULL: nobody), which
 * went from state old to new, or dropped for drop (an enum etp_drop). It
 * names the fault that dropped, delayed, held or duplicated skb.
 */
static void etp_rcv_event(struct etp_net *en, const struct etp_entry *e,
			  struct sk_buff *skb, const struct etp_seg *seg,
			  u8 old, u8 new, enum etp_drop drop)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct etp_segev sev = {
		.e = e, .seg = seg, .laddr = iph->daddr, .raddr = iph->saddr,
		.dir = ETP_DIR_IN, .old_state = old, .new_state = new,
		.drop = drop ? etp_drop_name(drop) : NULL,
		.fault = etp_skb_fault(skb),
	};

	if (etp_nl_segments_wanted(en))
		etp_nl_segment_event(en, &sev);
}

/* The event of what a state machine made of a segment (before it is done). */
static void etp_rcv_acted(struct etp_entry *e, struct sk_buff *skb,
			  const struct etp_seg *seg,
			  const struct etp_actions *act)
{
	etp_rcv_event(e->en, e, skb, seg, act->old_state,
		      act->destroy ? ETP_STATE_CLOSED : act->new_state,
		      act->drop);
}

/* No connection and no listener: RFC 9293 3.10.7.1, never a RST for a RST. */
static void etp_rcv_no_conn(struct etp_net *en, struct sk_buff *skb,
			    const struct etp_seg *seg)
{
	struct etp_seg rst;

	etp_inc(en, ETP_MIB_DROP_NOCONN);
	etp_rcv_event(en, NULL, skb, seg, ETP_STATE_CLOSED, ETP_STATE_CLOSED,
		      ETP_DROP_NO_CONN);
	if (etp_fsm_reset_for(seg, &rst))
		etp_output_reply(en, NULL, skb, &rst);
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
	etp_fsm_init(&c->tcb, &p, ntohs(c->e.key.lport), seg->sport);
	spin_lock_nested(&c->e.lock, SINGLE_DEPTH_NESTING);
	if (etp_entry_hash(&c->e)) {
		spin_unlock(&c->e.lock);
		etp_entry_discard(&c->e);
		return;
	}
	iss = etp_isn(iph->daddr, iph->saddr, htons(seg->dport),
		      htons(seg->sport));
	/*
	 * Segments to fit the link the SYN came in on (RFC 1191 lowers); a
	 * SYN a fault held has let go of its device.
	 */
	if (skb->dev)
		etp_fsm_set_pmtu(&c->tcb, skb->dev->mtu);
	etp_fsm_open_passive(&c->tcb, &ev, seg, iss, &act);
	etp_rcv_acted(&c->e, skb, seg, &act);
	etp_exec(&c->e, &ev, &act, skb);
	spin_unlock(&c->e.lock);
	etp_entry_put(&c->e);
}

static void etp_rcv_listener(struct etp_listener *l, struct sk_buff *skb,
			     const struct etp_seg *seg)
{
	struct etp_ev ev = { .p = NULL };
	struct etp_actions act;

	spin_lock(&l->e.lock);
	if (l->e.dead) {
		spin_unlock(&l->e.lock);
		etp_rcv_no_conn(l->e.en, skb, seg);
		return;
	}
	if (etp_fsm_listen(seg, &act)) {
		etp_rcv_accept(l, skb, seg);
	} else {
		etp_rcv_acted(&l->e, skb, seg, &act);
		etp_exec(&l->e, &ev, &act, skb);
	}
	spin_unlock(&l->e.lock);
}

/* A segment's payload, for the state machine to copy into its queue. */
struct etp_payload {
	const struct sk_buff *skb;
	u32 hdr_len;
};

static void etp_payload_copy(const void *src, u32 off, void *dst, u32 len)
{
	const struct etp_payload *pl = src;

	/* etp_rcv() checked the lengths: this cannot fail. */
	WARN_ON_ONCE(skb_copy_bits(pl->skb, pl->hdr_len + off, dst, len));
}

/*
 * The chunk at payload offset off, if the skb holds it as one whole page
 * fragment (as etp's own segments carry their send queue's chunks) that
 * the receive queue may keep: not a page pool's (it wants its pages back)
 * nor a user's (zero-copy). etp_chunk_adopt() checks the page itself.
 */
static void *etp_payload_lend(const void *src, u32 off, void *owner)
{
	const struct etp_payload *pl = src;
	const struct sk_buff *skb = pl->skb;
	const struct skb_shared_info *si = skb_shinfo(skb);
	u32 at = pl->hdr_len + off, start = skb_headlen(skb);
	int i;

	if (skb->pp_recycle || (si->flags & SKBFL_ZEROCOPY_ENABLE))
		return NULL;
	for (i = 0; i < si->nr_frags && start < at; i++)
		start += skb_frag_size(&si->frags[i]);
	/* A whole page that is a whole chunk (not where pages are larger). */
	if (i == si->nr_frags || start != at ||
	    skb_frag_off(&si->frags[i]) ||
	    skb_frag_size(&si->frags[i]) != ETP_CHUNK_SIZE ||
	    skb_frag_size(&si->frags[i]) != PAGE_SIZE)
		return NULL;
	return etp_chunk_adopt(owner, skb_frag_page(&si->frags[i]));
}

static void etp_rcv_entry(struct etp_entry *e, struct sk_buff *skb,
			  const struct etp_seg *seg)
{
	const struct etp_payload pl = { .skb = skb, .hdr_len = seg->hdr_len };
	const struct etp_data data = {
		.copy = etp_payload_copy,
		.lend = etp_payload_lend,
		.src = &pl,
	};
	struct etp_conn *c = etp_conn(e);
	struct etp_tcb buf, *tcb;
	struct etp_actions act;
	struct etp_params p;
	struct etp_ev ev;

	etp_ev_init(e->en, &ev, &p);
	ev.data = &data;
	spin_lock(&e->lock);
	if (e->dead) {
		/* Gone while we looked it up: as if it had never been. */
		spin_unlock(&e->lock);
		etp_rcv_no_conn(e->en, skb, seg);
		return;
	}
	/* Queues are made when data first flows, to keep idle ones small. */
	if (c)
		ev.st = seg->payload_len ? etp_conn_stream(c) : c->st;
	tcb = etp_entry_tcb(e, &buf);
	etp_fsm_segment(tcb, &ev, seg, &act);
	etp_entry_tcb_done(e, tcb);
	etp_rcv_acted(e, skb, seg, &act);
	etp_exec(e, &ev, &act, skb);
	spin_unlock(&e->lock);
}

/*
 * A fault for this segment? Then it is dropped, parked or (a duplicate)
 * taken twice. False when skb goes on its way as usual; true when the
 * fault has it. A parked or duplicated skb keeps the hit in its cb for the
 * event it makes when it is processed; a dropped one makes it now.
 */
static bool etp_rcv_fault(struct etp_net *en, struct sk_buff *skb,
			  const struct etp_seg *seg, struct etp_entry *e)
{
	u8 state = e ? etp_entry_state(e) : ETP_STATE_CLOSED;
	struct etp_fault_hit *hit = &etp_skb_cb(skb)->fault;
	struct sk_buff *dup;

	if (!etp_fault_match(en, ETP_DIR_IN, seg->flags, state, e ? e->id : 0,
			     hit))
		return false;
	if (hit->action == ETP_FAULT_DROP)
		etp_rcv_event(en, e, skb, seg, state, state, ETP_DROP_NONE);
	if (!etp_fault_apply(en, skb, ETP_DIR_IN, hit, &dup))
		return true;
	/* The original goes on as itself (also when there was no room). */
	hit->action = 0;
	/* The copy goes first, as if the network had delivered it twice. */
	if (dup)
		etp_rcv_again(en, dup);
	return false;
}

/*
 * A checked segment of en's, to its connection: true if a fault took skb
 * (the caller must not free it).
 */
static bool etp_rcv_segment(struct etp_net *en, struct sk_buff *skb,
			    bool faults)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct etp_entry *e;
	struct etp_seg seg;

	/* Decoded by etp_rcv() already: a parked skb is decoded again. */
	if (etp_parse(skb, &seg) != ETP_WIRE_OK)
		return false;
	e = etp_lookup(en, iph->daddr, iph->saddr, htons(seg.dport),
		       htons(seg.sport));
	if (faults && etp_rcv_fault(en, skb, &seg, e)) {
		if (e)
			etp_entry_put(e);
		return true;
	}
	if (!e)
		etp_rcv_no_conn(en, skb, &seg);
	else if (e->kind == ETP_KIND_LISTENER)
		etp_rcv_listener(container_of(e, struct etp_listener, e), skb,
				 &seg);
	else
		etp_rcv_entry(e, skb, &seg);
	if (e)
		etp_entry_put(e);
	return false;
}

void etp_rcv_again(struct etp_net *en, struct sk_buff *skb)
{
	if (!READ_ONCE(en->dying))
		etp_rcv_segment(en, skb, false);
	kfree_skb(skb);
}

int etp_rcv(struct sk_buff *skb)
{
	struct etp_net *en = etp_pernet(dev_net(skb->dev));
	const struct iphdr *iph;
	enum etp_wire_err werr;
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
	/* IP is done with skb->cb (IPCB): from here on it is etp's. */
	memset(etp_skb_cb(skb), 0, sizeof(struct etp_skb_cb));
	if (etp_rcv_segment(en, skb, true))
		return 0;
drop:
	kfree_skb(skb);
	return 0;
}

/*
 * An ICMP error about a segment we sent: skb holds the IP header we sent
 * and (icmp_socket_deliver() checked) at least 8 octets of our header:
 * the ports and the sequence number, all the state machine needs (RFC
 * 5927 checks the latter). Fragmentation needed also teaches the route
 * its MTU, for the connections to come.
 */
int etp_err(struct sk_buff *skb, u32 info)
{
	const struct iphdr *iph = (const struct iphdr *)skb->data;
	const u8 *th = skb->data + (iph->ihl << 2);
	const struct icmphdr *icmp = icmp_hdr(skb);
	struct net *net = dev_net(skb->dev);
	struct etp_net *en = etp_pernet(net);
	struct etp_actions act;
	enum etp_icmp what;
	struct etp_params p;
	struct etp_entry *e;
	struct etp_ev ev;
	__be16 sport, dport;
	__be32 seq;

	if (READ_ONCE(en->dying) || icmp->type != ICMP_DEST_UNREACH)
		return 0;
	if (icmp->code == ICMP_PROT_UNREACH) {
		what = ETP_ICMP_PROTO_UNREACH;
	} else if (icmp->code == ICMP_FRAG_NEEDED) {
		what = ETP_ICMP_FRAG_NEEDED;
		ipv4_update_pmtu(skb, net, info, 0, etp_proto);
	} else {
		return 0;
	}
	etp_inc(en, ETP_MIB_ICMP_IN);
	memcpy(&sport, th, 2);
	memcpy(&dport, th + 2, 2);
	memcpy(&seq, th + 4, 4);
	e = etp_lookup(en, iph->saddr, iph->daddr, sport, dport);
	if (!e || e->kind != ETP_KIND_CONN) {
		etp_inc(en, ETP_MIB_ICMP_IGNORED);
		goto out;
	}
	etp_ev_init(en, &ev, &p);
	spin_lock(&e->lock);
	ev.st = etp_conn(e)->st;
	if (!e->dead) {
		etp_fsm_icmp(&etp_conn(e)->tcb, &ev, what, ntohl(seq), info,
			     &act);
		etp_exec(e, &ev, &act, NULL);
	}
	spin_unlock(&e->lock);
out:
	if (e)
		etp_entry_put(e);
	return 0;
}
