/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Internet checksum (RFC 1071) over etp's pseudo-header and segment
 * (docs/protocol.md), for the userspace tools that build segments:
 * etpctl trace's pcap and the selftests' C helpers.
 */
#ifndef ETP_TOOLS_CSUM_H
#define ETP_TOOLS_CSUM_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/etp.h>

static inline uint32_t sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static inline uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

/*
 * RFC 1071 over the pseudo-header (src, dst, zero, protocol 253, etp
 * length) and the segment; the checksum field must hold zero, or the
 * transmitted checksum when verifying (then the result is 0).
 */
static inline uint16_t etp_csum(struct in_addr src, struct in_addr dst,
				const uint8_t *seg, size_t len)
{
	uint8_t pseudo[12];

	memcpy(pseudo, &src, 4);
	memcpy(pseudo + 4, &dst, 4);
	pseudo[8] = 0;
	pseudo[9] = ETP_PROTO_DEFAULT;
	pseudo[10] = len >> 8;
	pseudo[11] = len & 0xff;
	return fold(sum16(seg, len, sum16(pseudo, sizeof(pseudo), 0)));
}

#endif
