/* SPDX-License-Identifier: GPL-2.0 */
/*
 * etp wire format: the fixed 20-byte header and its options. See
 * docs/protocol.md section 2 for the diagram and the rules enforced here.
 *
 * Decoding validates everything that can be judged from the segment alone,
 * so the state machine only ever sees well-formed segments. The checksum is
 * not covered: it needs the IPv4 pseudo-header and is the kernel glue's job.
 */
#ifndef _ETP_CORE_WIRE_H
#define _ETP_CORE_WIRE_H

#include <uapi/linux/etp.h>

#include "etp_types.h"

#define ETP_HDR_LEN		20
#define ETP_HDR_MAX		60
#define ETP_VERSION		1
#define ETP_CSUM_OFFSET		16

/* ETP_FLAG_* are the uapi's: segment events and faults carry them. */
#define ETP_FLAG_BITS		5	/* FIN, SYN, RST, PSH, ACK */
#define ETP_FLAGS_KNOWN		((1U << ETP_FLAG_BITS) - 1)

#define ETP_OPT_EOL		0
#define ETP_OPT_NOP		1
#define ETP_OPT_MSS		2
#define ETP_OPT_MSS_LEN		4
#define ETP_OPT_WS		3	/* window scale, RFC 7323 section 2 */
#define ETP_OPT_WS_LEN		3
#define ETP_WS_MAX		14	/* larger shifts are taken as 14 */

/* Longest string etp_wire_flags_name() writes, with its NUL. */
#define ETP_FLAGS_NAME_MAX	sizeof("FIN|SYN|RST|PSH|ACK|0xe0")

/* A decoded segment header, host byte order. */
struct etp_seg {
	u16 sport;
	u16 dport;
	u32 seq;
	u32 ack;
	u8 version;
	u8 flags;
	u16 hdr_len;		/* bytes, options included */
	u16 window;
	u16 mss;		/* 0: option absent */
	u8 ws_present;		/* window scale option present */
	u8 wscale;		/* its shift, 0..ETP_WS_MAX */
	u32 payload_len;
};

enum etp_wire_err {
	ETP_WIRE_OK = 0,
	ETP_WIRE_SHORT,
	ETP_WIRE_BAD_OFFSET,
	ETP_WIRE_BAD_VERSION,
	ETP_WIRE_BAD_FLAGS,
	ETP_WIRE_BAD_OPTION,
	ETP_WIRE_ERR_MAX
};

enum etp_wire_err etp_wire_decode(const u8 *buf, u32 len, struct etp_seg *seg);
u32 etp_wire_encode(const struct etp_seg *seg, u8 *buf, u32 room);
u32 etp_wire_hdr_len(const struct etp_seg *seg);
const char *etp_wire_err_name(enum etp_wire_err e);
u32 etp_wire_flags_name(u8 flags, char *buf, u32 room);
/* The name of flag bit @bit, 0 (FIN) to ETP_FLAG_BITS - 1; "?" beyond. */
const char *etp_wire_flag_name(u32 bit);

/* Sequence space a segment occupies: SYN and FIN count one each. */
static inline u32 etp_seg_len(const struct etp_seg *seg)
{
	return seg->payload_len + !!(seg->flags & ETP_FLAG_SYN) +
	       !!(seg->flags & ETP_FLAG_FIN);
}

#endif /* _ETP_CORE_WIRE_H */
