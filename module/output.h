/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ETP_OUTPUT_H
#define _ETP_OUTPUT_H

#include <linux/types.h>

struct etp_net;
struct etp_seg;
struct etp_stream;
struct sk_buff;

/*
 * Send one segment from saddr (0: the route's choice) to daddr; its
 * payload, if any, is st's send queue from out->seq on.
 */
void etp_output(struct etp_net *en, __be32 saddr, __be32 daddr,
		const struct etp_seg *out, const struct etp_stream *st);
/* Answer segment in from where it was sent to (RSTs, listener replies). */
void etp_output_reply(struct etp_net *en, struct sk_buff *in,
		      const struct etp_seg *out);

#endif /* _ETP_OUTPUT_H */
