/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ETP_OUTPUT_H
#define _ETP_OUTPUT_H

#include <linux/types.h>

struct etp_entry;
struct etp_net;
struct etp_seg;
struct etp_stream;
struct sk_buff;

/*
 * Who sends, for the segment event and the faults: the entry (NULL for an
 * answer that no connection gives) and its state before and after the
 * event that sends.
 */
struct etp_from {
	const struct etp_entry *e;
	u8 old_state, new_state;
};

/*
 * Send one segment from saddr (0: the route's choice) to daddr; its
 * payload, if any, is st's send queue from out->seq on.
 */
void etp_output(struct etp_net *en, const struct etp_from *from,
		__be32 saddr, __be32 daddr, const struct etp_seg *out,
		const struct etp_stream *st);
/*
 * Add the len octets at p, in a page of their own (a queue's chunk), to
 * skb as a fragment holding a reference on that page, counting truesize
 * for it; marked shared, as the page is not skb's alone.
 */
void etp_skb_lend(struct sk_buff *skb, const void *p, u32 len, u32 truesize);
/* Answer segment in from where it was sent to (RSTs, listener replies). */
void etp_output_reply(struct etp_net *en, const struct etp_from *from,
		      struct sk_buff *in, const struct etp_seg *out);

#endif /* _ETP_OUTPUT_H */
