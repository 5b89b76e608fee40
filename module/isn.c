// SPDX-License-Identifier: GPL-2.0
/* Initial sequence numbers, RFC 6528 (docs/protocol.md section 3.1). */
#include <linux/ktime.h>
#include <linux/net.h>
#include <linux/siphash.h>

#include "isn.h"

static siphash_key_t etp_isn_key __read_mostly;

/*
 * ISN = M + F(4-tuple, secret), M a clock ticking every 64 ns (as Linux's
 * secure_tcp_seq) and F a keyed siphash, so ISNs are neither guessable
 * off-path nor reused soon by a new incarnation of the tuple.
 */
u32 etp_isn(__be32 saddr, __be32 daddr, __be16 sport, __be16 dport)
{
	u32 hash;

	net_get_random_once(&etp_isn_key, sizeof(etp_isn_key));
	hash = siphash_3u32((__force u32)saddr, (__force u32)daddr,
			    (__force u32)sport << 16 | (__force u32)dport,
			    &etp_isn_key);
	return hash + (u32)(ktime_get_real_ns() >> 6);
}
