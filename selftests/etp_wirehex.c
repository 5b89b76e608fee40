// SPDX-License-Identifier: GPL-2.0
/*
 * etp_wirehex: module/core/wire.c, the module's own encoder and decoder, on
 * the command line, so that other implementations of the wire format (the
 * scapy layer tools/python/etp.py, the Wireshark dissector) can be checked
 * byte for byte against it.
 *
 *   etp_wirehex encode [sport=P] [dport=P] [seq=N] [ack=N] [flags=F]
 *                      [window=W] [mss=M]
 *       prints the header etp_wire_encode() writes (checksum zero), in hex
 *   etp_wirehex decode HEX
 *       runs etp_wire_decode() on the segment HEX and prints "err=NAME" and,
 *       when it is ok, the decoded fields:
 *       err=ok sport=.. dport=.. seq=.. ack=.. version=.. flags=SYN|ACK
 *       hdr_len=.. window=.. mss=.. payload_len=.. seg_len=..
 *
 * FLAGS: names joined by | (SYN|ACK), or a number. Exit 0 on success (also
 * for a decode error, which is printed), 1 on bad usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wire.h"

static const char * const names[] = { "FIN", "SYN", "RST", "PSH", "ACK" };

static int usage(void)
{
	fprintf(stderr,
		"usage: etp_wirehex encode [sport=P] [dport=P] [seq=N] [ack=N] [flags=F] [window=W] [mss=M]\n"
		"       etp_wirehex decode HEX\n");
	return 1;
}

static int parse_num(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	*v = strtoul(s, &end, 0);
	return *s && !*end && *v <= max ? 0 : -1;
}

static int parse_flags(const char *s, unsigned long *v)
{
	char buf[64], *tok, *save;
	unsigned int i;

	if (!parse_num(s, 0xff, v))
		return 0;
	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	*v = 0;
	for (tok = strtok_r(buf, "|+,", &save); tok;
	     tok = strtok_r(NULL, "|+,", &save)) {
		for (i = 0; i < 5; i++)
			if (!strcasecmp(tok, names[i]))
				break;
		if (i == 5)
			return -1;
		*v |= 1u << i;
	}
	return 0;
}

static int encode(int argc, char **argv)
{
	struct etp_seg seg = { .window = 65535 };
	u8 buf[ETP_HDR_MAX];
	unsigned long v;
	u32 len, i;
	int a;

	for (a = 0; a < argc; a++) {
		char *eq = strchr(argv[a], '=');
		const char *val;
		int bad;

		if (!eq)
			return usage();
		*eq = '\0';
		val = eq + 1;
		if (!strcmp(argv[a], "flags")) {
			bad = parse_flags(val, &v);
			seg.flags = v;
		} else if (!strcmp(argv[a], "seq") || !strcmp(argv[a], "ack")) {
			bad = parse_num(val, 0xffffffffUL, &v);
			*(!strcmp(argv[a], "seq") ? &seg.seq : &seg.ack) = v;
		} else {
			u16 *f = !strcmp(argv[a], "sport") ? &seg.sport :
				 !strcmp(argv[a], "dport") ? &seg.dport :
				 !strcmp(argv[a], "window") ? &seg.window :
				 !strcmp(argv[a], "mss") ? &seg.mss : NULL;

			if (!f)
				return usage();
			bad = parse_num(val, 0xffff, &v);
			*f = v;
		}
		if (bad) {
			fprintf(stderr, "etp_wirehex: bad value for %s: %s\n",
				argv[a], val);
			return 1;
		}
	}
	len = etp_wire_encode(&seg, buf, sizeof(buf));
	if (!len)
		return 1;
	for (i = 0; i < len; i++)
		printf("%02x", buf[i]);
	printf("\n");
	return 0;
}

static int decode(const char *hex)
{
	static u8 buf[65536];
	char fl[ETP_FLAGS_NAME_MAX];
	struct etp_seg seg;
	enum etp_wire_err err;
	size_t n = strlen(hex), i;

	if (n % 2 || n / 2 > sizeof(buf))
		return usage();
	for (i = 0; i < n / 2; i++) {
		unsigned int b;

		if (sscanf(hex + 2 * i, "%2x", &b) != 1)
			return usage();
		buf[i] = b;
	}
	err = etp_wire_decode(buf, n / 2, &seg);
	printf("err=%s", etp_wire_err_name(err));
	if (err == ETP_WIRE_OK) {
		etp_wire_flags_name(seg.flags, fl, sizeof(fl));
		printf(" sport=%u dport=%u seq=%u ack=%u version=%u flags=%s hdr_len=%u window=%u mss=%u payload_len=%u seg_len=%u",
		       seg.sport, seg.dport, seg.seq, seg.ack, seg.version, fl,
		       seg.hdr_len, seg.window, seg.mss, seg.payload_len,
		       etp_seg_len(&seg));
	}
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "encode"))
		return encode(argc - 2, argv + 2);
	if (argc == 3 && !strcmp(argv[1], "decode"))
		return decode(argv[2]);
	return usage();
}
