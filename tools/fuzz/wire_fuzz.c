// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: module/core/wire.c's decoder on any bytes. Its
 * verdict and every field must be those of a second, plain reading of
 * docs/protocol.md 2.3 (ref_decode() below, written from the document);
 * what it accepts must survive an encode and a decode unchanged; nothing
 * may read or write out of bounds (ASan) or overflow (UBSan).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

#define CHECK(c)							\
	do {								\
		if (!(c)) {						\
			fprintf(stderr, "wire_fuzz: %s\n", #c);		\
			abort();					\
		}							\
	} while (0)

/*
 * The document's rules, one after the other: 20 octets at least; data
 * offset (in words) at least 5 and within the segment; version 1; flags
 * known, no SYN with FIN or RST, no RST with FIN; options up to the data
 * offset: EOL ends them, NOP is one octet, any other is kind, length
 * (2 at least, within the header) and value; MSS is 4 long and not 0,
 * window scale 3 long with the shift clamped to 14; unknown kinds are
 * skipped.
 */
static enum etp_wire_err ref_decode(const u8 *b, size_t len,
				    struct etp_seg *s)
{
	size_t off, p;

	memset(s, 0, sizeof(*s));
	if (len < 20)
		return ETP_WIRE_SHORT;
	off = 4 * (b[12] & 15);
	if (off < 20 || off > len)
		return ETP_WIRE_BAD_OFFSET;
	s->version = b[12] >> 4;
	if (s->version != 1)
		return ETP_WIRE_BAD_VERSION;
	s->flags = b[13];
	if (s->flags > 0x1f ||
	    (s->flags == (s->flags | ETP_FLAG_SYN | ETP_FLAG_FIN)) ||
	    (s->flags == (s->flags | ETP_FLAG_SYN | ETP_FLAG_RST)) ||
	    (s->flags == (s->flags | ETP_FLAG_RST | ETP_FLAG_FIN)))
		return ETP_WIRE_BAD_FLAGS;
	s->sport = b[0] * 256 + b[1];
	s->dport = b[2] * 256 + b[3];
	s->seq = ((u32)b[4] << 24) + ((u32)b[5] << 16) + b[6] * 256u + b[7];
	s->ack = ((u32)b[8] << 24) + ((u32)b[9] << 16) + b[10] * 256u + b[11];
	s->window = b[14] * 256 + b[15];
	s->hdr_len = off;
	s->payload_len = len - off;
	for (p = 20; p < off && b[p] != 0; ) {
		if (b[p] == 1) {
			p++;
			continue;
		}
		if (p + 2 > off || b[p + 1] < 2 || p + b[p + 1] > off)
			return ETP_WIRE_BAD_OPTION;
		if (b[p] == 2) {
			if (b[p + 1] != 4 || !(b[p + 2] | b[p + 3]))
				return ETP_WIRE_BAD_OPTION;
			s->mss = b[p + 2] * 256 + b[p + 3];
		} else if (b[p] == 3) {
			if (b[p + 1] != 3)
				return ETP_WIRE_BAD_OPTION;
			s->ws_present = 1;
			s->wscale = b[p + 2] < 14 ? b[p + 2] : 14;
		}
		p += b[p + 1];
	}
	return ETP_WIRE_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[ETP_FLAGS_NAME_MAX];
	struct etp_seg s, r, x;
	enum etp_wire_err e;
	u8 buf[ETP_HDR_MAX];
	u32 n;

	if (size > 0xffff)
		return 0;
	e = etp_wire_decode(data, size, &s);
	CHECK(e == ref_decode(data, size, &x));
	CHECK(strcmp(etp_wire_err_name(e), "?"));
	n = etp_wire_flags_name(size > 13 ? data[13] : 0, name, sizeof(name));
	CHECK(n == strlen(name) && n < sizeof(name));
	if (e != ETP_WIRE_OK)
		return 0;
	CHECK(!memcmp(&s, &x, sizeof(s)));
	/* Encoding what was decoded says the same again, options aside. */
	n = etp_wire_encode(&s, buf, sizeof(buf));
	CHECK(n == etp_wire_hdr_len(&s) && n >= ETP_HDR_LEN && n % 4 == 0);
	CHECK(etp_wire_encode(&s, buf, n - 1) == 0);
	CHECK(etp_wire_decode(buf, n, &r) == ETP_WIRE_OK);
	CHECK(r.sport == s.sport && r.dport == s.dport && r.seq == s.seq &&
	      r.ack == s.ack && r.flags == s.flags && r.window == s.window &&
	      r.mss == s.mss && r.ws_present == s.ws_present &&
	      r.wscale == s.wscale && r.payload_len == 0 && r.hdr_len == n);
	return 0;
}
