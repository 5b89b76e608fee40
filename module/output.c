// SPDX-License-Identifier: GPL-2.0
/*
 * Transmit: encode the segment the state machine built, checksum it over
 * the IPv4 pseudo-header in software (nothing offloads protocol 253), put
 * an IP header in front and hand it to ip_local_out(), so netfilter, tc
 * and routing see it like any locally generated packet.
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

/* The segment, its payload (from the send queue) and its checksum. */
static struct sk_buff *etp_seg_skb(const struct etp_seg *out,
				   const struct etp_stream *st, __be32 saddr,
				   __be32 daddr)
{
	u32 hlen = etp_wire_hdr_len(out), len = hlen + out->payload_len;
	struct sk_buff *skb;
	__sum16 csum;
	u8 *buf;

	if (out->payload_len && !st)
		return NULL;
	skb = alloc_skb(MAX_HEADER + sizeof(struct iphdr) + len, GFP_ATOMIC);
	if (!skb)
		return NULL;
	skb_reserve(skb, MAX_HEADER + sizeof(struct iphdr));
	buf = skb_put(skb, len);
	if (etp_wire_encode(out, buf, hlen) != hlen) {
		kfree_skb(skb);
		return NULL;
	}
	if (out->payload_len)
		etp_bufq_read(&st->sq, out->seq, buf + hlen, out->payload_len);
	skb_reset_transport_header(skb);
	csum = csum_tcpudp_magic(saddr, daddr, len, etp_proto,
				 csum_partial(buf, len, 0));
	memcpy(buf + ETP_CSUM_OFFSET, &csum, sizeof(csum));
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
	skb = etp_seg_skb(out, st, fl4.saddr, fl4.daddr);
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
