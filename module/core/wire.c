// SPDX-License-Identifier: GPL-2.0
/*
 * etp wire format encode and decode. The rules, and the order in which
 * decode applies them, are in docs/protocol.md section 2; the order is part
 * of the contract because it decides which drop counter a segment with
 * several faults lands in.
 */
#include "wire.h"

static u16 get16(const u8 *p)
{
	return (u16)(p[0] << 8 | p[1]);
}

static u32 get32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

static void put16(u8 *p, u16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(u8 *p, u32 v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

/*
 * Combinations that no correct sender produces and whose meaning would be
 * ambiguous: a SYN opens, FIN and RST end, so none of them may share a
 * segment. Rejecting them up front keeps the state machine free of cases
 * that RFC 9293 only resolves by the order of its processing steps.
 */
static bool flags_valid(u8 flags)
{
	if (flags & ~ETP_FLAGS_KNOWN)
		return false;
	if ((flags & ETP_FLAG_SYN) && (flags & (ETP_FLAG_FIN | ETP_FLAG_RST)))
		return false;
	if ((flags & ETP_FLAG_RST) && (flags & ETP_FLAG_FIN))
		return false;
	return true;
}

static enum etp_wire_err parse_options(const u8 *opt, u32 len,
				       struct etp_seg *seg)
{
	u32 i = 0;

	while (i < len) {
		u8 kind = opt[i];
		u8 olen;

		if (kind == ETP_OPT_EOL)
			break;
		if (kind == ETP_OPT_NOP) {
			i++;
			continue;
		}
		if (len - i < 2)
			return ETP_WIRE_BAD_OPTION;
		olen = opt[i + 1];
		if (olen < 2 || olen > len - i)
			return ETP_WIRE_BAD_OPTION;
		if (kind == ETP_OPT_MSS) {
			if (olen != ETP_OPT_MSS_LEN)
				return ETP_WIRE_BAD_OPTION;
			/* 0 would read as "absent" and is no usable MSS. */
			seg->mss = get16(opt + i + 2);
			if (!seg->mss)
				return ETP_WIRE_BAD_OPTION;
		} else if (kind == ETP_OPT_WS) {
			if (olen != ETP_OPT_WS_LEN)
				return ETP_WIRE_BAD_OPTION;
			seg->ws_present = 1;
			/* RFC 7323 2.3: a larger shift is used as 14. */
			seg->wscale = opt[i + 2] > ETP_WS_MAX ? ETP_WS_MAX :
								  opt[i + 2];
		}
		i += olen;
	}
	return ETP_WIRE_OK;
}

enum etp_wire_err etp_wire_decode(const u8 *buf, u32 len, struct etp_seg *seg)
{
	u32 hdr_len;

	memset(seg, 0, sizeof(*seg));
	if (len < ETP_HDR_LEN)
		return ETP_WIRE_SHORT;
	hdr_len = (buf[12] & 0x0f) * 4;
	if (hdr_len < ETP_HDR_LEN || hdr_len > len)
		return ETP_WIRE_BAD_OFFSET;
	seg->version = buf[12] >> 4;
	if (seg->version != ETP_VERSION)
		return ETP_WIRE_BAD_VERSION;
	seg->flags = buf[13];
	if (!flags_valid(seg->flags))
		return ETP_WIRE_BAD_FLAGS;

	seg->sport = get16(buf);
	seg->dport = get16(buf + 2);
	seg->seq = get32(buf + 4);
	seg->ack = get32(buf + 8);
	seg->window = get16(buf + 14);
	seg->hdr_len = hdr_len;
	seg->payload_len = len - hdr_len;
	return parse_options(buf + ETP_HDR_LEN, hdr_len - ETP_HDR_LEN, seg);
}

/* MSS in four octets, window scale padded to four by a NOP in front. */
u32 etp_wire_hdr_len(const struct etp_seg *seg)
{
	return ETP_HDR_LEN + (seg->mss ? ETP_OPT_MSS_LEN : 0) +
	       (seg->ws_present ? ETP_OPT_WS_LEN + 1 : 0);
}

/*
 * The version written is always ETP_VERSION and seg->version/hdr_len are
 * ignored: a sender speaks exactly one version, and the header length
 * follows from the options present.
 */
u32 etp_wire_encode(const struct etp_seg *seg, u8 *buf, u32 room)
{
	u32 hdr_len = etp_wire_hdr_len(seg);
	u8 *opt;

	if (room < hdr_len)
		return 0;
	put16(buf, seg->sport);
	put16(buf + 2, seg->dport);
	put32(buf + 4, seg->seq);
	put32(buf + 8, seg->ack);
	buf[12] = ETP_VERSION << 4 | hdr_len / 4;
	buf[13] = seg->flags;
	put16(buf + 14, seg->window);
	put16(buf + ETP_CSUM_OFFSET, 0);
	put16(buf + 18, 0);
	opt = buf + ETP_HDR_LEN;
	if (seg->mss) {
		opt[0] = ETP_OPT_MSS;
		opt[1] = ETP_OPT_MSS_LEN;
		put16(opt + 2, seg->mss);
		opt += ETP_OPT_MSS_LEN;
	}
	if (seg->ws_present) {
		opt[0] = ETP_OPT_NOP;
		opt[1] = ETP_OPT_WS;
		opt[2] = ETP_OPT_WS_LEN;
		opt[3] = seg->wscale;
	}
	return hdr_len;
}

static const char * const wire_err_names[ETP_WIRE_ERR_MAX] = {
	[ETP_WIRE_OK]		= "ok",
	[ETP_WIRE_SHORT]	= "short",
	[ETP_WIRE_BAD_OFFSET]	= "bad_offset",
	[ETP_WIRE_BAD_VERSION]	= "bad_version",
	[ETP_WIRE_BAD_FLAGS]	= "bad_flags",
	[ETP_WIRE_BAD_OPTION]	= "bad_option",
};

const char *etp_wire_err_name(enum etp_wire_err e)
{
	if ((unsigned int)e >= ETP_WIRE_ERR_MAX)
		return "?";
	return wire_err_names[e];
}

/* In bit order: ETP_FLAG_FIN is 1 << 0. */
static const char * const flag_names[ETP_FLAG_BITS] = {
	"FIN", "SYN", "RST", "PSH", "ACK",
};

const char *etp_wire_flag_name(u32 bit)
{
	return bit < ETP_FLAG_BITS ? flag_names[bit] : "?";
}

static u32 append(char *buf, u32 room, u32 pos, const char *s)
{
	while (*s && pos + 1 < room)
		buf[pos++] = *s++;
	return pos;
}

/*
 * "SYN|ACK" style, for trace output and test diagnostics; reserved bits
 * come out as one hex suffix. Truncates to room and always terminates.
 * Returns the length written, without the NUL.
 */
u32 etp_wire_flags_name(u8 flags, char *buf, u32 room)
{
	static const char hex[] = "0123456789abcdef";
	char rsv[] = "0x00";
	u32 pos = 0;
	u32 i;

	if (!room)
		return 0;
	for (i = 0; i < ETP_FLAG_BITS; i++) {
		if (!(flags & (1u << i)))
			continue;
		if (pos)
			pos = append(buf, room, pos, "|");
		pos = append(buf, room, pos, flag_names[i]);
	}
	if (flags & ~ETP_FLAGS_KNOWN) {
		rsv[2] = hex[(flags & ~ETP_FLAGS_KNOWN) >> 4];
		rsv[3] = hex[flags & ~ETP_FLAGS_KNOWN & 0xf];
		if (pos)
			pos = append(buf, room, pos, "|");
		pos = append(buf, room, pos, rsv);
	}
	if (!pos)
		pos = append(buf, room, pos, "none");
	buf[pos] = '\0';
	return pos;
}
