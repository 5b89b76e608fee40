// SPDX-License-Identifier: GPL-2.0
/*
 * Transmit: encode the segment the state machine built, lend it the send
 * queue's pages that hold its payload, checksum it over the IPv4
 * pseudo-header (or leave the sum to the device: csum_offload), put an IP
 * header in front and hand it to ip_local_out(), so netfilter, tc and
 * routing see it like any locally generated packet.
 */
#include <linux/skbuff.h>
#include <linux/ip.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/checksum.h>

#include "conn.h"
#include "core/stream.h"
#include "core/wire.h"
#include "main.h"
#include "netlink.h"
#include "output.h"
#include "trace.h"

#define ETP_SKB_HEADROOM	(MAX_HEADER + sizeof(struct iphdr))

/*
 * The payload, [seq, seq + len) of the send queue, lent rather than copied:
 * each piece a fragment that holds a reference to the queue's page (a
 * chunk, conn.c). Queued octets never change (stream.h), so a segment
 * still in flight after they are acknowledged and given back reads what
 * was sent; the fragments are marked shared for whoever would write them.
 */
void etp_skb_lend(struct sk_buff *skb, const void *p, u32 len, u32 truesize)
{
	struct page *page = virt_to_page(p);

	get_page(page);
	skb_add_rx_frag(skb, skb_shinfo(skb)->nr_frags, page,
			offset_in_page(p), len, truesize);
	skb_shinfo(skb)->flags |= SKBFL_SHARED_FRAG;
}

static bool etp_seg_lend(struct sk_buff *skb, const struct etp_bufq *q,
			 u32 seq, u32 len)
{
	while (len) {
		u32 n = len;
		const u8 *p = etp_bufq_peek(q, seq, &n);

		if (WARN_ON_ONCE(skb_shinfo(skb)->nr_frags == MAX_SKB_FRAGS))
			return false;
		etp_skb_lend(skb, p, n, n);
		seq += n;
		len -= n;
	}
	return true;
}

/*
 * RFC 1071 over the pseudo-header and the segment; with offload, only the
 * pseudo-header's sum, for the device (or dev_queue_xmit()'s software
 * fallback when the device cannot) to finish: CHECKSUM_PARTIAL, as UDP and
 * TCP do. veth passes such a segment on unsummed and the receiver trusts it.
 */
static void etp_seg_csum(struct sk_buff *skb, __be32 saddr, __be32 daddr,
			 bool offload)
{
	__sum16 *field = (__sum16 *)(skb->data + ETP_CSUM_OFFSET);

	if (offload) {
		skb->ip_summed = CHECKSUM_PARTIAL;
		skb->csum_start = skb_transport_header(skb) - skb->head;
		skb->csum_offset = ETP_CSUM_OFFSET;
		*field = ~csum_tcpudp_magic(saddr, daddr, skb->len, etp_proto,
					    0);
		return;
	}
	*field = csum_tcpudp_magic(saddr, daddr, skb->len, etp_proto,
				   skb_checksum(skb, 0, skb->len, 0));
}

/* The segment, its payload (from the send queue) and its checksum. */
static struct sk_buff *etp_seg_skb(const struct etp_seg *out,
				   const struct etp_stream *st, __be32 saddr,
				   __be32 daddr, bool offload)
{
	u32 hlen = etp_wire_hdr_len(out);
	struct sk_buff *skb;

	if (out->payload_len && !st)
		return NULL;
	skb = alloc_skb(ETP_SKB_HEADROOM + hlen, GFP_ATOMIC);
	if (!skb)
		return NULL;
	skb_reserve(skb, ETP_SKB_HEADROOM);
	skb_put(skb, hlen);
	if (etp_wire_encode(out, skb->data, hlen) != hlen ||
	    (out->payload_len &&
	     !etp_seg_lend(skb, &st->sq, out->seq, out->payload_len))) {
		kfree_skb(skb);
		return NULL;
	}
	skb_reset_transport_header(skb);
	etp_seg_csum(skb, saddr, daddr, offload);
	return skb;
}

/* The segment event of out, and the fault that applies to it, if any. */
static void etp_output_event(struct etp_net *en, const struct etp_from *from,
			     __be32 saddr, __be32 daddr,
			     const struct etp_seg *out,
			     const struct etp_fault_hit *hit)
{
	struct etp_segev sev = {
		.e = from ? from->e : NULL, .seg = out,
		.laddr = saddr, .raddr = daddr, .dir = ETP_DIR_OUT,
		.old_state = from ? from->old_state : ETP_STATE_CLOSED,
		.new_state = from ? from->new_state : ETP_STATE_CLOSED,
		.fault = hit,
	};

	if (etp_nl_segments_wanted(en))
		etp_nl_segment_event(en, &sev);
}

static bool etp_output_fault(struct etp_net *en, const struct etp_from *from,
			     const struct etp_seg *out,
			     struct etp_fault_hit *hit)
{
	u8 state = from ? from->new_state : ETP_STATE_CLOSED;
	u32 id = from && from->e ? from->e->id : 0;

	return etp_fault_match(en, ETP_DIR_OUT, out->flags, state, id, hit);
}

void etp_output(struct etp_net *en, const struct etp_from *from,
		__be32 saddr, __be32 daddr, const struct etp_seg *out,
		const struct etp_stream *st)
{
	struct etp_fault_hit hit = { 0 };
	struct sk_buff *skb, *dup;
	struct flowi4 fl4;
	struct rtable *rt;
	struct iphdr *iph;

	rt = ip_route_output_ports(en->net, &fl4, NULL, daddr, saddr,
				   htons(out->dport), htons(out->sport),
				   etp_proto, 0, 0);
	if (IS_ERR(rt)) {
		etp_inc(en, ETP_MIB_OUT_NO_ROUTE);
		return;
	}
	skb = etp_seg_skb(out, st, fl4.saddr, fl4.daddr,
			  READ_ONCE(en->params.csum_offload));
	if (!skb) {
		ip_rt_put(rt);
		return;
	}
	skb_dst_set(skb, &rt->dst);

	skb_push(skb, sizeof(*iph));
	skb_reset_network_header(skb);
	iph = ip_hdr(skb);
	iph->version = 4;
	iph->ihl = sizeof(*iph) >> 2;
	iph->tos = 0;
	iph->frag_off = htons(IP_DF);
	iph->ttl = ip4_dst_hoplimit(&rt->dst);
	iph->protocol = etp_proto;
	iph->saddr = fl4.saddr;
	iph->daddr = fl4.daddr;
	ip_select_ident(en->net, skb, NULL);
	skb->protocol = htons(ETH_P_IP);

	trace_etp_segment_out(fl4.saddr, fl4.daddr, out);
	etp_inc(en, ETP_MIB_OUT_SEGS);
	if (out->flags & ETP_FLAG_RST)
		etp_inc(en, ETP_MIB_RESETS_OUT);
	if (out->payload_len) {
		etp_inc(en, ETP_MIB_DATA_SEGS_OUT);
		etp_add(en, ETP_MIB_BYTES_OUT, out->payload_len);
	}
	/* Sent, as far as etp knows: a fault is the network's doing. */
	etp_output_fault(en, from, out, &hit);
	etp_output_event(en, from, fl4.saddr, fl4.daddr, out, &hit);
	skb = etp_fault_apply(en, skb, ETP_DIR_OUT, &hit, &dup);
	/* __ip_local_out() fills in tot_len and the header checksum. */
	if (dup)
		ip_local_out(en->net, NULL, dup);
	if (skb)
		ip_local_out(en->net, NULL, skb);
}

void etp_output_reply(struct etp_net *en, const struct etp_from *from,
		      struct sk_buff *in, const struct etp_seg *out)
{
	const struct iphdr *iph = ip_hdr(in);

	etp_output(en, from, iph->daddr, iph->saddr, out, NULL);
}
