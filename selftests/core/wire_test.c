// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of module/core/wire.c: the byte layout of docs/protocol.md
 * section 2, round trips, and every rejection in its documented order.
 */
#include <stdio.h>
#include <string.h>

#include "kselftest_harness.h"
#include "wire.h"

/* A raw header with the given version, data offset (words) and flags. */
static void raw(u8 *b, u8 ver, u8 doff, u8 flags)
{
	memset(b, 0, ETP_HDR_MAX + 16);
	b[0] = 0x12; b[1] = 0x34;	/* sport 0x1234 */
	b[2] = 0xab; b[3] = 0xcd;	/* dport 0xabcd */
	b[4] = 0xde; b[5] = 0xad; b[6] = 0xbe; b[7] = 0xef;
	b[8] = 0x01; b[9] = 0x02; b[10] = 0x03; b[11] = 0x04;
	b[12] = ver << 4 | doff;
	b[13] = flags;
	b[14] = 0xff; b[15] = 0xfe;
}

/* int, so the harness compares it with enum constants without warnings */
static int decode(const u8 *b, u32 len, struct etp_seg *s)
{
	return etp_wire_decode(b, len, s);
}

static int dec(const u8 *b, u32 len)
{
	struct etp_seg s;

	return decode(b, len, &s);
}

TEST(layout_is_network_order)
{
	struct etp_seg s = {
		.sport = 0x1234, .dport = 0xabcd, .seq = 0xdeadbeef,
		.ack = 0x01020304, .flags = ETP_FLAG_SYN | ETP_FLAG_ACK,
		.window = 0xfffe,
	};
	const u8 want[20] = {
		0x12, 0x34, 0xab, 0xcd, 0xde, 0xad, 0xbe, 0xef,
		0x01, 0x02, 0x03, 0x04, 0x15, 0x12, 0xff, 0xfe,
		0, 0, 0, 0,
	};
	u8 b[64];

	memset(b, 0xaa, sizeof(b));
	ASSERT_EQ(20u, etp_wire_encode(&s, b, sizeof(b)));
	ASSERT_EQ(0, memcmp(b, want, 20));
	ASSERT_EQ(0xaau, b[20]);	/* nothing written past the header */
	ASSERT_EQ(16, ETP_CSUM_OFFSET);
}

TEST(encode_with_mss)
{
	struct etp_seg s = { .flags = ETP_FLAG_SYN, .mss = 1460 };
	u8 b[64];

	ASSERT_EQ(24u, etp_wire_hdr_len(&s));
	ASSERT_EQ(24u, etp_wire_encode(&s, b, sizeof(b)));
	ASSERT_EQ(0x16u, b[12]);		/* version 1, 6 words */
	ASSERT_EQ(ETP_OPT_MSS, b[20]);
	ASSERT_EQ(4u, b[21]);
	ASSERT_EQ(1460 >> 8, b[22]);
	ASSERT_EQ(1460 & 0xff, b[23]);
}

/* RFC 7323 2.2: a NOP in front keeps the header a multiple of four. */
TEST(encode_with_window_scale)
{
	struct etp_seg s = { .flags = ETP_FLAG_SYN, .mss = 1460,
			     .ws_present = 1, .wscale = 7 };
	struct etp_seg out;
	u8 b[64];

	ASSERT_EQ(28u, etp_wire_hdr_len(&s));
	ASSERT_EQ(28u, etp_wire_encode(&s, b, sizeof(b)));
	ASSERT_EQ(0x17u, b[12]);		/* version 1, 7 words */
	ASSERT_EQ(ETP_OPT_NOP, b[24]);
	ASSERT_EQ(ETP_OPT_WS, b[25]);
	ASSERT_EQ(3u, b[26]);
	ASSERT_EQ(7u, b[27]);
	ASSERT_EQ((int)ETP_WIRE_OK, (int)etp_wire_decode(b, 28, &out));
	ASSERT_EQ(1u, out.ws_present);
	ASSERT_EQ(7u, out.wscale);
	ASSERT_EQ(1460u, out.mss);
	/* A shift beyond 14 is taken as 14 (RFC 7323 2.3). */
	b[27] = 200;
	ASSERT_EQ((int)ETP_WIRE_OK, (int)etp_wire_decode(b, 28, &out));
	ASSERT_EQ(14u, out.wscale);
	/* Alone, without MSS. */
	s.mss = 0;
	ASSERT_EQ(24u, etp_wire_encode(&s, b, sizeof(b)));
	ASSERT_EQ((int)ETP_WIRE_OK, (int)etp_wire_decode(b, 24, &out));
	ASSERT_EQ(0u, out.mss);
	ASSERT_EQ(1u, out.ws_present);
}

TEST(encode_ignores_version_and_hdr_len)
{
	struct etp_seg s = { .version = 7, .hdr_len = 60 };
	u8 b[64];

	ASSERT_EQ(20u, etp_wire_encode(&s, b, sizeof(b)));
	ASSERT_EQ(0x15u, b[12]);
}

TEST(encode_needs_room)
{
	struct etp_seg s = { .mss = 1000 };
	u8 b[64];

	ASSERT_EQ(0u, etp_wire_encode(&s, b, 0));
	ASSERT_EQ(0u, etp_wire_encode(&s, b, 23));
	ASSERT_EQ(24u, etp_wire_encode(&s, b, 24));
	s.mss = 0;
	ASSERT_EQ(0u, etp_wire_encode(&s, b, 19));
	ASSERT_EQ(20u, etp_wire_encode(&s, b, 20));
}

static void check_roundtrip(struct __test_metadata *_metadata,
			    const struct etp_seg *in, u32 payload)
{
	struct etp_seg out;
	u8 b[ETP_HDR_MAX + 100];
	u32 n;

	n = etp_wire_encode(in, b, sizeof(b));
	ASSERT_NE(0u, n);
	memset(b + n, 0x5a, payload);
	ASSERT_EQ(ETP_WIRE_OK, decode(b, n + payload, &out));
	EXPECT_EQ(in->sport, out.sport);
	EXPECT_EQ(in->dport, out.dport);
	EXPECT_EQ(in->seq, out.seq);
	EXPECT_EQ(in->ack, out.ack);
	EXPECT_EQ(ETP_VERSION, out.version);
	EXPECT_EQ(in->flags, out.flags);
	EXPECT_EQ(n, out.hdr_len);
	EXPECT_EQ(in->window, out.window);
	EXPECT_EQ(in->mss, out.mss);
	EXPECT_EQ(payload, out.payload_len);
}

TEST(roundtrip)
{
	static const u8 flags[] = {
		0, ETP_FLAG_SYN, ETP_FLAG_SYN | ETP_FLAG_ACK, ETP_FLAG_ACK,
		ETP_FLAG_FIN | ETP_FLAG_ACK, ETP_FLAG_RST,
		ETP_FLAG_RST | ETP_FLAG_ACK, ETP_FLAG_PSH | ETP_FLAG_ACK,
		ETP_FLAG_FIN | ETP_FLAG_PSH | ETP_FLAG_ACK,
	};
	static const u16 mss[] = { 0, 1, 536, 1460, 0xffff };
	static const u32 payload[] = { 0, 1, 100 };
	unsigned int f, m, p;

	for (f = 0; f < sizeof(flags); f++)
		for (m = 0; m < 5; m++)
			for (p = 0; p < 3; p++) {
				struct etp_seg s = {
					.sport = 1 + f, .dport = 0xffff - m,
					.seq = 0xfffffff0u + p * 7,
					.ack = 0x80000000u ^ f, .flags = flags[f],
					.window = m * 1000, .mss = mss[m],
				};

				check_roundtrip(_metadata, &s, payload[p]);
			}
}

TEST(nop_padding_and_eol)
{
	u8 b[ETP_HDR_MAX + 16];
	struct etp_seg s;

	/* NOP NOP MSS(4) NOP EOL: 8 bytes of options, data offset 7. */
	raw(b, 1, 7, ETP_FLAG_SYN);
	memcpy(b + 20, "\x01\x01\x02\x04\x05\xb4\x01\x00", 8);
	ASSERT_EQ(ETP_WIRE_OK, decode(b, 28 + 3, &s));
	ASSERT_EQ(28u, s.hdr_len);
	ASSERT_EQ(1460u, s.mss);
	ASSERT_EQ(3u, s.payload_len);

	/* Anything after EOL is padding, even a malformed option. */
	raw(b, 1, 7, ETP_FLAG_SYN);
	memcpy(b + 20, "\x02\x04\x01\x00\x00\x07\x00\x00", 8);
	ASSERT_EQ(ETP_WIRE_OK, decode(b, 28, &s));
	ASSERT_EQ(256u, s.mss);
}

TEST(unknown_options_skipped)
{
	u8 b[ETP_HDR_MAX + 16];
	struct etp_seg s;

	/* kind 30 len 6, kind 254 len 2, MSS. */
	raw(b, 1, 8, ETP_FLAG_SYN);
	memcpy(b + 20, "\x1e\x06\x02\x04\x09\x09\xfe\x02\x02\x04\x02\x00", 12);
	ASSERT_EQ(ETP_WIRE_OK, decode(b, 32, &s));
	ASSERT_EQ(512u, s.mss);

	/* An unknown option may end exactly at the header's end. */
	raw(b, 1, 6, ETP_FLAG_ACK);
	memcpy(b + 20, "\x63\x04\xff\xff", 4);
	ASSERT_EQ(ETP_WIRE_OK, decode(b, 24, &s));
	ASSERT_EQ(0u, s.mss);
}

TEST(last_mss_wins)
{
	u8 b[ETP_HDR_MAX + 16];
	struct etp_seg s;

	raw(b, 1, 7, ETP_FLAG_SYN);
	memcpy(b + 20, "\x02\x04\x01\x00\x02\x04\x02\x00", 8);
	ASSERT_EQ(ETP_WIRE_OK, decode(b, 28, &s));
	ASSERT_EQ(512u, s.mss);
}

TEST(too_short)
{
	u8 b[ETP_HDR_MAX + 16];
	u32 len;

	raw(b, 1, 5, ETP_FLAG_ACK);
	for (len = 0; len < ETP_HDR_LEN; len++)
		ASSERT_EQ(ETP_WIRE_SHORT, dec(b, len));
	ASSERT_EQ(ETP_WIRE_OK, dec(b, ETP_HDR_LEN));
}

TEST(data_offset_bounds)
{
	u8 b[ETP_HDR_MAX + 16];
	struct etp_seg s;
	u8 doff;

	for (doff = 0; doff < 5; doff++) {
		raw(b, 1, doff, ETP_FLAG_ACK);
		ASSERT_EQ(ETP_WIRE_BAD_OFFSET, dec(b, 60));
	}
	/* 5: no options. */
	raw(b, 1, 5, ETP_FLAG_ACK);
	ASSERT_EQ(ETP_WIRE_OK, decode(b, 20, &s));
	ASSERT_EQ(20u, s.hdr_len);
	ASSERT_EQ(0u, s.payload_len);
	/* 15: 40 bytes of options, all NOP. */
	raw(b, 1, 15, ETP_FLAG_ACK);
	memset(b + 20, ETP_OPT_NOP, 40);
	ASSERT_EQ(ETP_WIRE_BAD_OFFSET, dec(b, 59));
	ASSERT_EQ(ETP_WIRE_OK, decode(b, 60, &s));
	ASSERT_EQ(60u, s.hdr_len);
	ASSERT_EQ(0u, s.payload_len);
	ASSERT_EQ(ETP_WIRE_OK, decode(b, 61, &s));
	ASSERT_EQ(1u, s.payload_len);
	/* Every offset longer than the segment. */
	for (doff = 6; doff <= 15; doff++) {
		raw(b, 1, doff, ETP_FLAG_ACK);
		memset(b + 20, ETP_OPT_NOP, 40);
		ASSERT_EQ(ETP_WIRE_BAD_OFFSET, dec(b, doff * 4 - 1));
		ASSERT_EQ(ETP_WIRE_OK, dec(b, doff * 4));
	}
}

TEST(version)
{
	u8 b[ETP_HDR_MAX + 16];
	u8 v;

	for (v = 0; v < 16; v++) {
		raw(b, v, 5, ETP_FLAG_ACK);
		ASSERT_EQ(v == ETP_VERSION ? ETP_WIRE_OK : ETP_WIRE_BAD_VERSION,
			  dec(b, 20));
	}
}

static bool flags_ok(unsigned int f)
{
	if (f & 0xe0)
		return false;
	if ((f & ETP_FLAG_SYN) && (f & (ETP_FLAG_FIN | ETP_FLAG_RST)))
		return false;
	return !((f & ETP_FLAG_RST) && (f & ETP_FLAG_FIN));
}

TEST(every_flag_byte)
{
	u8 b[ETP_HDR_MAX + 16];
	unsigned int f;
	int ok = 0;

	for (f = 0; f < 256; f++) {
		raw(b, 1, 5, f);
		EXPECT_EQ(flags_ok(f) ? ETP_WIRE_OK : ETP_WIRE_BAD_FLAGS,
			  dec(b, 20)) {
			TH_LOG("flags 0x%02x", f);
		}
		ok += flags_ok(f);
	}
	/* Of the 32 combinations of the five bits, 16 pair SYN, FIN, RST. */
	ASSERT_EQ(16, ok);
}

TEST(named_bad_flags)
{
	static const u8 bad[] = {
		0x20, 0x40, 0x80, ETP_FLAG_ACK | 0x20,
		ETP_FLAG_SYN | ETP_FLAG_FIN, ETP_FLAG_SYN | ETP_FLAG_RST,
		ETP_FLAG_RST | ETP_FLAG_FIN,
		ETP_FLAG_SYN | ETP_FLAG_FIN | ETP_FLAG_ACK,
	};
	u8 b[ETP_HDR_MAX + 16];
	unsigned int i;

	for (i = 0; i < sizeof(bad); i++) {
		raw(b, 1, 5, bad[i]);
		ASSERT_EQ(ETP_WIRE_BAD_FLAGS, dec(b, 20));
	}
}

struct optcase {
	const char *name;
	u8 doff;
	const char *opt;
	enum etp_wire_err want;
};

TEST(option_lengths)
{
	static const struct optcase cases[] = {
		{ "len 0", 6, "\x1e\x00\x00\x00", ETP_WIRE_BAD_OPTION },
		{ "len 1", 6, "\x1e\x01\x00\x00", ETP_WIRE_BAD_OPTION },
		{ "len 2", 6, "\x1e\x02\x00\x00", ETP_WIRE_OK },
		{ "overrun", 6, "\x1e\x05\x00\x00", ETP_WIRE_BAD_OPTION },
		{ "overrun 255", 6, "\x1e\xff\x00\x00", ETP_WIRE_BAD_OPTION },
		{ "kind, no len", 6, "\x01\x01\x01\x1e", ETP_WIRE_BAD_OPTION },
		{ "mss, no len", 6, "\x01\x01\x01\x02", ETP_WIRE_BAD_OPTION },
		{ "mss len 3", 6, "\x02\x03\x05\x00", ETP_WIRE_BAD_OPTION },
		{ "mss len 2", 6, "\x02\x02\x00\x00", ETP_WIRE_BAD_OPTION },
		{ "mss len 5", 7, "\x02\x05\x05\xb4\x00\x00\x00\x00",
		  ETP_WIRE_BAD_OPTION },
		{ "mss 0", 6, "\x02\x04\x00\x00", ETP_WIRE_BAD_OPTION },
		{ "mss overrun", 6, "\x01\x01\x02\x04", ETP_WIRE_BAD_OPTION },
		{ "ws len 2", 6, "\x03\x02\x00\x00", ETP_WIRE_BAD_OPTION },
		{ "ws len 4", 6, "\x03\x04\x07\x00", ETP_WIRE_BAD_OPTION },
		{ "ws overrun", 6, "\x01\x01\x03\x03", ETP_WIRE_BAD_OPTION },
		{ "ws", 6, "\x01\x03\x03\x0e", ETP_WIRE_OK },
		{ "all nop", 6, "\x01\x01\x01\x01", ETP_WIRE_OK },
		{ "all eol", 6, "\x00\x00\x00\x00", ETP_WIRE_OK },
	};
	u8 b[ETP_HDR_MAX + 16];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		raw(b, 1, cases[i].doff, ETP_FLAG_SYN);
		memcpy(b + 20, cases[i].opt, (cases[i].doff - 5) * 4);
		/* Payload after the header must not be read as options. */
		memset(b + cases[i].doff * 4, 0x02, 8);
		EXPECT_EQ((int)cases[i].want, dec(b, cases[i].doff * 4 + 8)) {
			TH_LOG("%s", cases[i].name);
		}
	}
}

TEST(rejection_order)
{
	u8 b[ETP_HDR_MAX + 16];

	/* Everything wrong at once: short wins. */
	raw(b, 9, 3, 0xff);
	ASSERT_EQ(ETP_WIRE_SHORT, dec(b, 19));
	/* then the offset, */
	ASSERT_EQ(ETP_WIRE_BAD_OFFSET, dec(b, 20));
	raw(b, 9, 6, 0xff);
	ASSERT_EQ(ETP_WIRE_BAD_OFFSET, dec(b, 20));
	/* then the version, */
	b[20] = 0x1e; b[21] = 0;
	ASSERT_EQ(ETP_WIRE_BAD_VERSION, dec(b, 24));
	/* then the flags, */
	b[12] = 0x16;
	ASSERT_EQ(ETP_WIRE_BAD_FLAGS, dec(b, 24));
	/* then the options. */
	b[13] = ETP_FLAG_ACK;
	ASSERT_EQ(ETP_WIRE_BAD_OPTION, dec(b, 24));
	b[21] = 4;
	ASSERT_EQ(ETP_WIRE_OK, dec(b, 24));
}

TEST(decode_clears_output_on_error)
{
	struct etp_seg s;
	u8 b[ETP_HDR_MAX + 16];

	memset(&s, 0xff, sizeof(s));
	raw(b, 1, 5, ETP_FLAG_ACK);
	ASSERT_EQ(ETP_WIRE_SHORT, decode(b, 3, &s));
	ASSERT_EQ(0u, s.mss);
	ASSERT_EQ(0u, s.payload_len);
}

TEST(seg_len)
{
	struct etp_seg s = { .payload_len = 10 };

	ASSERT_EQ(10u, etp_seg_len(&s));
	s.flags = ETP_FLAG_SYN | ETP_FLAG_ACK;
	ASSERT_EQ(11u, etp_seg_len(&s));
	s.flags = ETP_FLAG_FIN | ETP_FLAG_ACK | ETP_FLAG_PSH;
	ASSERT_EQ(11u, etp_seg_len(&s));
	s.flags = ETP_FLAG_RST;
	ASSERT_EQ(10u, etp_seg_len(&s));
}

TEST(names)
{
	char buf[ETP_FLAGS_NAME_MAX];

	EXPECT_STREQ("ok", etp_wire_err_name(ETP_WIRE_OK));
	EXPECT_STREQ("short", etp_wire_err_name(ETP_WIRE_SHORT));
	EXPECT_STREQ("bad_offset", etp_wire_err_name(ETP_WIRE_BAD_OFFSET));
	EXPECT_STREQ("bad_version", etp_wire_err_name(ETP_WIRE_BAD_VERSION));
	EXPECT_STREQ("bad_flags", etp_wire_err_name(ETP_WIRE_BAD_FLAGS));
	EXPECT_STREQ("bad_option", etp_wire_err_name(ETP_WIRE_BAD_OPTION));
	EXPECT_STREQ("?", etp_wire_err_name(ETP_WIRE_ERR_MAX));
	EXPECT_STREQ("?", etp_wire_err_name((enum etp_wire_err)-1));

	etp_wire_flags_name(ETP_FLAG_SYN | ETP_FLAG_ACK, buf, sizeof(buf));
	EXPECT_STREQ("SYN|ACK", buf);
	etp_wire_flags_name(0, buf, sizeof(buf));
	EXPECT_STREQ("none", buf);
	EXPECT_EQ(sizeof(buf) - 1, etp_wire_flags_name(0xff, buf, sizeof(buf)));
	EXPECT_STREQ("FIN|SYN|RST|PSH|ACK|0xe0", buf);
	etp_wire_flags_name(0x40 | ETP_FLAG_RST, buf, sizeof(buf));
	EXPECT_STREQ("RST|0x40", buf);
	/* Truncation keeps the string terminated. */
	EXPECT_EQ(4u, etp_wire_flags_name(ETP_FLAG_FIN | ETP_FLAG_ACK, buf, 5));
	EXPECT_STREQ("FIN|", buf);
	EXPECT_EQ(0u, etp_wire_flags_name(ETP_FLAG_FIN, buf, 0));
}

TEST_HARNESS_MAIN
