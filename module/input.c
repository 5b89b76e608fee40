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

#include "etp.h"
#include "core/wire.h"

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

int etp_rcv(struct sk_buff *skb)
{
	struct etp_net *en = etp_pernet(dev_net(skb->dev));
	enum etp_wire_err werr;
	struct etp_seg seg;

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

	/* No connections exist yet: everything valid is for nobody. */
	etp_inc(en, ETP_MIB_DROP_NOCONN);
drop:
	kfree_skb(skb);
	return 0;
}

/* ICMP errors about our segments: nothing to tell a connection yet. */
int etp_err(struct sk_buff *skb, u32 info)
{
	return 0;
}
