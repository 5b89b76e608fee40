// SPDX-License-Identifier: GPL-2.0
/*
 * etp_pkt: packet-exact tests through a tun device, packetdrill's way. The
 * test is the peer: it writes crafted IPv4 + etp segments into the tun (as
 * if sent by the peer address) and reads back, field by field, what etp.ko
 * answers. The etp header is encoded and decoded with module/core/wire.c,
 * the very code the module uses; the IPv4 header and the checksum over the
 * pseudo-header (docs/protocol.md section 2.5) are computed here.
 *
 * usage: etp_pkt -i IFNAME [-a] [-l LOCAL] [-r PEER] [-f SCRIPT | STEP...]
 *   IFNAME: a tun device, created if it does not exist (and gone when
 *   etp_pkt exits), whose address is LOCAL (default 198.18.1.1) with PEER
 *   (default 198.18.1.2) reachable through it. -a: etp_pkt sets that up
 *   itself (LOCAL/24, IPv6 off on the device, link up); otherwise do it
 *   beforehand or in the script's first steps (exec ip ...). The script
 *   comes from -f (a file, "-" for stdin) or one step per argument. Before
 *   the first packet step it waits until the tun transmits (an ICMP echo
 *   from PEER gets its reply). Exit 0 if every step passed, 1 otherwise.
 *
 * Script: one step per line, '#' starts a comment.
 *   ports MPORT TPORT     the module's port and the test's (8000, 40000)
 *   isn N                 the test's own ISN (default 1000000)
 *   inject FLAGS [seq S] [ack A] [win W] [mss M] [wscale S] [sport P]
 *          [dport P] [payload N] [bad-csum] [hdr-off N] [version V] [len N]
 *                         write one segment from PEER. len N cuts the etp
 *                         segment to N octets after the checksum is computed
 *                         (a short segment); hdr-off and version overwrite
 *                         the header fields before the checksum.
 *   expect FLAGS [seq S] [ack A] [win W] [mss M] [wscale S] [sport P]
 *          [dport P] [payload N] [within MS]
 *                         read the next etp segment the module sends and
 *                         check it exactly: IPv4 addresses, checksum, ports,
 *                         flags, seq, ack, payload length (0 unless given),
 *                         and options: an MSS on SYN segments only (value
 *                         checked if mss given), a window scale if and only
 *                         if wscale is given (on SYNs), window if win given.
 *   icmp unreach-proto|frag-needed MTU [seq S]
 *                         an ICMP destination unreachable from PEER (code 2,
 *                         or code 4 with next-hop MTU) quoting the last
 *                         segment the module sent: its IP header and first
 *                         8 octets, with seq S instead of its own if given
 *   expect-none MS        nothing is sent for MS milliseconds
 *   sleep MS
 *   exec CMD...           run CMD with bash -c (the rest of the line); fails
 *                         the script unless it exits 0
 *
 * FLAGS: names joined by | , or + (SYN|ACK), "none", or a number.
 * Sequence numbers are relative, as in packetdrill: the test's seq and the
 * module's ack are relative to the test's ISN; the module's seq and the
 * test's ack are relative to the module's ISN, learnt from the first SYN
 * the module sends, which an expect must call seq 0 (before that, relative
 * to 0). "=N" is an absolute value. The ack field of a segment without ACK is absolute and defaults
 * to 0 (docs/protocol.md: "sent as 0 otherwise").
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/etp.h>
#include <linux/if_tun.h>
#include <netinet/ip.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "wire.h"

#define MAX_PKT		2048
#define MAX_WORDS	32

static int tun_fd = -1;
static struct in_addr local_addr, peer_addr;
static unsigned int mport = 8000, tport = 40000;
static uint32_t test_isn = 1000000;	/* ours */
static uint32_t mod_isn;		/* the module's, once learnt */
static bool mod_isn_known;
static int lineno;
static const char *step_text;
static unsigned int ignored_pkts;
static char ignored_last[64];	/* what the last ignored packet was */
static bool tun_ready;
/* The last segment the module sent: what an icmp step quotes. */
static uint8_t last_out[sizeof(struct iphdr) + 8];
static bool last_out_known;

/* Packets read while waiting for the tun to be ready: read_seg's first. */
#define STASH_MAX	16
static struct {
	uint8_t data[MAX_PKT];
	ssize_t len;
} stash[STASH_MAX];
static int stash_head, stash_n;

/* read(2) on the tun, the stash first. */
static ssize_t tun_read(uint8_t *buf)
{
	if (stash_n) {
		ssize_t n = stash[stash_head].len;

		memcpy(buf, stash[stash_head].data, n);
		stash_head = (stash_head + 1) % STASH_MAX;
		stash_n--;
		return n;
	}
	return read(tun_fd, buf, MAX_PKT);
}

static void fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "etp_pkt: line %d: %s: FAIL: ", lineno, step_text);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *flags_str(uint8_t flags)
{
	static char buf[4][ETP_FLAGS_NAME_MAX];
	static int n;
	char *b = buf[n++ % 4];

	etp_wire_flags_name(flags, b, ETP_FLAGS_NAME_MAX);
	return b;
}

static unsigned long num(const char *s, unsigned long max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || !*s || *end || *s == '-' || v > max)
		fail("bad number '%s' (0..%lu)", s, max);
	return v;
}

static uint8_t parse_flags(const char *s)
{
	static const char *const names[] = { "FIN", "SYN", "RST", "PSH", "ACK" };
	char buf[64], *tok, *save;
	unsigned int i;
	uint8_t flags = 0;

	if (s[0] >= '0' && s[0] <= '9')
		return num(s, 0xff);
	if (!strcasecmp(s, "none"))
		return 0;
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, "|,+", &save); tok;
	     tok = strtok_r(NULL, "|,+", &save)) {
		for (i = 0; i < 5; i++)
			if (!strcasecmp(tok, names[i]))
				break;
		if (i == 5)
			fail("unknown flag '%s'", tok);
		flags |= 1u << i;
	}
	return flags;
}

/* A relative sequence number (signed offset from base), or "=N". */
static uint32_t seqval(const char *s, uint32_t base)
{
	long long v;
	char *end;

	if (s[0] == '=')
		return num(s + 1, 0xffffffffUL);
	errno = 0;
	v = strtoll(s, &end, 0);
	if (errno || !*s || *end)
		fail("bad sequence number '%s'", s);
	return base + (uint32_t)v;
}

static uint32_t mod_base(void)
{
	return mod_isn_known ? mod_isn : 0;
}

/* Options shared by inject and expect, and those only one of them takes. */
struct seg_spec {
	uint8_t flags;
	const char *seq, *ack;
	long win, mss, wscale;	/* -1: not given */
	long sport, dport;	/* -1: default */
	unsigned int payload;
	bool bad_csum;
	long hdr_off, version, len, within;
};

static void parse_spec(char **w, int n, struct seg_spec *sp, bool inject)
{
	int i;

	memset(sp, 0, sizeof(*sp));
	sp->win = sp->mss = sp->wscale = sp->sport = sp->dport = -1;
	sp->hdr_off = sp->version = sp->len = sp->within = -1;
	if (n < 2)
		fail("FLAGS missing");
	sp->flags = parse_flags(w[1]);
	for (i = 2; i < n; i++) {
		const char *k = w[i], *v = i + 1 < n ? w[i + 1] : NULL;

		if (!strcmp(k, "bad-csum") && inject) {
			sp->bad_csum = true;
			continue;
		}
		if (!v)
			fail("'%s' needs a value", k);
		i++;
		if (!strcmp(k, "seq"))
			sp->seq = v;
		else if (!strcmp(k, "ack"))
			sp->ack = v;
		else if (!strcmp(k, "win"))
			sp->win = num(v, 0xffff);
		else if (!strcmp(k, "mss"))
			sp->mss = num(v, 0xffff);
		else if (!strcmp(k, "wscale"))
			sp->wscale = num(v, 255);
		else if (!strcmp(k, "sport"))
			sp->sport = num(v, 0xffff);
		else if (!strcmp(k, "dport"))
			sp->dport = num(v, 0xffff);
		else if (!strcmp(k, "payload"))
			sp->payload = num(v, 1460);
		else if (!strcmp(k, "hdr-off") && inject)
			sp->hdr_off = num(v, 15);
		else if (!strcmp(k, "version") && inject)
			sp->version = num(v, 15);
		else if (!strcmp(k, "len") && inject)
			sp->len = num(v, MAX_PKT);
		else if (!strcmp(k, "within") && !inject)
			sp->within = num(v, 600000);
		else
			fail("unknown keyword '%s'", k);
	}
}

/* An IPv4 header from the peer for len octets of proto; then the tun. */
static void ip_from_peer(uint8_t *pkt, uint8_t proto, size_t len)
{
	struct iphdr *ip = (struct iphdr *)pkt;

	memset(ip, 0, sizeof(*ip));
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = proto;
	ip->saddr = peer_addr.s_addr;
	ip->daddr = local_addr.s_addr;
	ip->tot_len = htons(sizeof(*ip) + len);
	ip->check = htons(fold(sum16(pkt, sizeof(*ip), 0)));
}

static void tun_send(const uint8_t *pkt, size_t len)
{
	if (write(tun_fd, pkt, len) != (ssize_t)len)
		fail("write to tun: %s", strerror(errno));
}

/* One IPv4 datagram from the peer, checksums computed, into the tun. */
static void do_inject(const struct seg_spec *sp)
{
	uint8_t pkt[MAX_PKT];
	uint8_t *seg = pkt + sizeof(struct iphdr);
	struct iphdr *ip = (struct iphdr *)pkt;
	struct etp_seg s = { 0 };
	uint32_t hlen, len;
	uint16_t csum;

	s.sport = sp->sport >= 0 ? sp->sport : tport;
	s.dport = sp->dport >= 0 ? sp->dport : mport;
	s.flags = sp->flags;
	s.seq = sp->seq ? seqval(sp->seq, test_isn) : test_isn;
	if (sp->flags & ETP_FLAG_ACK)
		s.ack = sp->ack ? seqval(sp->ack, mod_base()) : mod_base();
	else
		s.ack = sp->ack ? seqval(sp->ack, 0) : 0;
	s.window = sp->win >= 0 ? sp->win : 65535;
	s.mss = sp->mss > 0 ? sp->mss : 0;
	s.ws_present = sp->wscale >= 0;
	s.wscale = sp->wscale >= 0 ? sp->wscale : 0;
	hlen = etp_wire_encode(&s, seg, MAX_PKT - sizeof(*ip));
	if (!hlen)
		fail("etp_wire_encode failed");
	len = hlen + sp->payload;
	memset(seg + hlen, 'e', sp->payload);
	if (sp->hdr_off >= 0)
		seg[12] = (seg[12] & 0xf0) | sp->hdr_off;
	if (sp->version >= 0)
		seg[12] = (seg[12] & 0x0f) | sp->version << 4;
	csum = etp_csum(peer_addr, local_addr, seg, len);
	if (sp->bad_csum)
		csum ^= 0x5a5a;
	seg[ETP_CSUM_OFFSET] = csum >> 8;
	seg[ETP_CSUM_OFFSET + 1] = csum & 0xff;
	if (sp->len >= 0) {
		if ((uint32_t)sp->len > len)
			fail("len %ld is longer than the segment (%u)",
			     sp->len, len);
		len = sp->len;
	}

	ip_from_peer(pkt, ETP_PROTO_DEFAULT, len);
	tun_send(pkt, sizeof(struct iphdr) + len);
	printf("  > %s seq %u ack %u win %u len %u\n", flags_str(s.flags),
	       s.seq - test_isn, (s.flags & ETP_FLAG_ACK) ? s.ack - mod_base() :
	       s.ack, s.window, len);
}

/*
 * The next etp segment from the module within timeout_ms, validated at the
 * IP and checksum level; other traffic (IPv6, other protocols) is skipped.
 * Returns its length, 0 on timeout.
 */
static size_t read_seg(int timeout_ms, uint8_t *pkt, uint8_t **segp)
{
	int64_t deadline = now_ms() + timeout_ms;

	for (;;) {
		struct pollfd pfd = { .fd = tun_fd, .events = POLLIN };
		int64_t left = deadline - now_ms();
		struct iphdr *ip = (struct iphdr *)pkt;
		struct in_addr src, dst;
		size_t ihl, tot;
		ssize_t n;

		if (left < 0)
			left = 0;
		n = stash_n ? 1 : poll(&pfd, 1, left);
		if (n < 0 && errno != EINTR)
			fail("poll: %s", strerror(errno));
		if (n <= 0) {
			if (left == 0)
				return 0;
			continue;
		}
		n = tun_read(pkt);
		if (n < 0)
			fail("read from tun: %s", strerror(errno));
		if (n < (ssize_t)sizeof(*ip) || ip->version != 4 ||
		    ip->protocol != ETP_PROTO_DEFAULT) {
			ignored_pkts++;
			snprintf(ignored_last, sizeof(ignored_last),
				 "%zd octets, IPv%u, protocol %u", n,
				 pkt[0] >> 4, n >= 10 ? pkt[9] : 0);
			continue;
		}
		ihl = ip->ihl * 4;
		tot = ntohs(ip->tot_len);
		if (ihl < sizeof(*ip) || tot < ihl || tot > (size_t)n)
			fail("malformed IPv4 header from the module");
		if (fold(sum16(pkt, ihl, 0)))
			fail("bad IPv4 header checksum from the module");
		src.s_addr = ip->saddr;
		dst.s_addr = ip->daddr;
		if (src.s_addr != local_addr.s_addr ||
		    dst.s_addr != peer_addr.s_addr) {
			char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];

			inet_ntop(AF_INET, &src, a, sizeof(a));
			inet_ntop(AF_INET, &dst, b, sizeof(b));
			fail("segment %s -> %s, not from the tun's address to the peer",
			     a, b);
		}
		if (ntohs(ip->frag_off) & 0x3fff)
			fail("fragmented segment from the module");
		*segp = pkt + ihl;
		if (tot - ihl >= ETP_HDR_LEN &&
		    etp_csum(src, dst, *segp, tot - ihl))
			fail("bad etp checksum from the module");
		return tot - ihl;
	}
}

static void describe(const struct etp_seg *s, char *buf, size_t len)
{
	char ws[16] = "";

	if (s->ws_present)
		snprintf(ws, sizeof(ws), " wscale %u", s->wscale);
	snprintf(buf, len, "%s seq %u ack %u win %u mss %u%s sport %u dport %u payload %u",
		 flags_str(s->flags),
		 s->seq - mod_base(),
		 (s->flags & ETP_FLAG_ACK) ? s->ack - test_isn : s->ack,
		 s->window, s->mss, ws, s->sport, s->dport, s->payload_len);
}

static void do_expect(const struct seg_spec *sp, int timeout_ms)
{
	uint8_t pkt[MAX_PKT], *seg;
	enum etp_wire_err err;
	struct etp_seg s;
	uint32_t want_seq, want_ack;
	char got[256];
	size_t len;

	len = read_seg(timeout_ms, pkt, &seg);
	if (!len)
		fail("no segment within %d ms (%u other packets ignored%s%s)",
		     timeout_ms, ignored_pkts, ignored_last[0] ? ", last: " : "",
		     ignored_last);
	err = etp_wire_decode(seg, len, &s);
	if (err != ETP_WIRE_OK)
		fail("the module sent a malformed segment: %s",
		     etp_wire_err_name(err));
	memcpy(last_out, pkt, sizeof(struct iphdr));
	memcpy(last_out + sizeof(struct iphdr), seg, 8);
	last_out_known = true;
	/*
	 * The first SYN the module sends fixes its ISN, so its seq is 0 by
	 * definition: a step that says otherwise is a mistake in the script.
	 */
	if ((s.flags & ETP_FLAG_SYN) && !mod_isn_known &&
	    (!sp->seq || sp->seq[0] != '=')) {
		if (sp->seq && seqval(sp->seq, 0) != 0)
			fail("the module's first SYN defines its ISN: say seq 0");
		mod_isn = s.seq;
		mod_isn_known = true;
	}
	describe(&s, got, sizeof(got));
	printf("  < %s\n", got);

	if (s.flags != sp->flags)
		fail("flags %s, want %s (got: %s)", flags_str(s.flags),
		     flags_str(sp->flags), got);
	if (s.sport != (sp->sport >= 0 ? sp->sport : mport) ||
	    s.dport != (sp->dport >= 0 ? sp->dport : tport))
		fail("ports %u -> %u, want %ld -> %ld (got: %s)", s.sport,
		     s.dport, sp->sport >= 0 ? sp->sport : (long)mport,
		     sp->dport >= 0 ? sp->dport : (long)tport, got);
	want_seq = sp->seq ? seqval(sp->seq, mod_base()) : mod_base();
	if (s.seq != want_seq)
		fail("seq %u, want %u (relative %d, want %d; got: %s)", s.seq,
		     want_seq, (int32_t)(s.seq - mod_base()),
		     (int32_t)(want_seq - mod_base()), got);
	if (sp->flags & ETP_FLAG_ACK)
		want_ack = sp->ack ? seqval(sp->ack, test_isn) : test_isn;
	else
		want_ack = sp->ack ? seqval(sp->ack, 0) : 0;
	if (s.ack != want_ack)
		fail("ack %u, want %u (got: %s)", s.ack, want_ack, got);
	if (sp->win >= 0 && s.window != sp->win)
		fail("window %u, want %ld (got: %s)", s.window, sp->win, got);
	if (s.payload_len != sp->payload)
		fail("%u octets of payload, want %u (got: %s)",
		     s.payload_len, sp->payload, got);
	if (s.flags & ETP_FLAG_SYN) {
		if (!s.mss)
			fail("SYN without an MSS option (got: %s)", got);
		if (sp->mss >= 0 && s.mss != sp->mss)
			fail("mss %u, want %ld (got: %s)", s.mss, sp->mss, got);
		if (s.ws_present != (sp->wscale >= 0) ||
		    (sp->wscale >= 0 && s.wscale != sp->wscale))
			fail("window scale %s, want %s (got: %s)",
			     s.ws_present ? "present" : "absent",
			     sp->wscale >= 0 ? "present" : "absent", got);
		/* MSS, then NOP and window scale: nothing else, no padding. */
		if (s.hdr_len != etp_wire_hdr_len(&s))
			fail("header of %u octets, want %u", s.hdr_len,
			     etp_wire_hdr_len(&s));
	} else if (s.hdr_len != ETP_HDR_LEN) {
		fail("options on a segment without SYN (header %u octets; got: %s)",
		     s.hdr_len, got);
	}
	if (seg[18] || seg[19])
		fail("reserved field 0x%02x%02x, want zero", seg[18], seg[19]);
}

/* RFC 792 destination unreachable quoting last_out (RFC 1191 for MTU). */
static void do_icmp(char **w, int n)
{
	uint8_t pkt[sizeof(struct iphdr) + 8 + sizeof(last_out)];
	struct iphdr *ip = (struct iphdr *)pkt;
	uint8_t *icmp = pkt + sizeof(*ip), *q = icmp + 8 + sizeof(*ip);
	unsigned long mtu = 0;
	uint16_t csum;
	uint32_t seq;
	int i = 2;

	if (n < 2 || !last_out_known)
		fail("icmp needs a kind and a segment sent before it");
	memset(pkt, 0, sizeof(pkt));
	icmp[0] = 3;				/* destination unreachable */
	if (!strcmp(w[1], "unreach-proto")) {
		icmp[1] = 2;
	} else if (!strcmp(w[1], "frag-needed") && n >= 3) {
		icmp[1] = 4;
		mtu = num(w[2], 0xffff);
		icmp[6] = mtu >> 8;
		icmp[7] = mtu & 0xff;
		i = 3;
	} else {
		fail("icmp unreach-proto|frag-needed MTU [seq S]");
	}
	memcpy(icmp + 8, last_out, sizeof(last_out));
	if (i + 1 < n && !strcmp(w[i], "seq")) {
		seq = seqval(w[i + 1], mod_base());
		q[4] = seq >> 24;
		q[5] = seq >> 16;
		q[6] = seq >> 8;
		q[7] = seq;
		i += 2;
	}
	if (i != n)
		fail("unexpected '%s'", w[i]);
	csum = fold(sum16(icmp, 8 + sizeof(last_out), 0));
	icmp[2] = csum >> 8;
	icmp[3] = csum & 0xff;
	ip_from_peer(pkt, IPPROTO_ICMP, sizeof(pkt) - sizeof(struct iphdr));
	tun_send(pkt, sizeof(pkt));
	printf("  > ICMP unreachable code %u mtu %lu\n", icmp[1], mtu);
}

static void do_expect_none(int ms)
{
	uint8_t pkt[MAX_PKT], *seg;
	struct etp_seg s;
	char got[256];
	size_t len;

	len = read_seg(ms, pkt, &seg);
	if (!len)
		return;
	if (etp_wire_decode(seg, len, &s) != ETP_WIRE_OK)
		fail("a malformed segment was sent (%zu octets)", len);
	describe(&s, got, sizeof(got));
	fail("unexpected segment: %s", got);
}

/* Nothing may be waiting when the test speaks: packetdrill's rule. */
static void no_pending(void)
{
	do_expect_none(0);
}

static void do_exec(const char *line)
{
	const char *cmd = line + strspn(line, " \t");
	int rc, status;

	cmd += strlen("exec");
	cmd += strspn(cmd, " \t");
	if (!*cmd)
		fail("exec needs a command");
	fflush(stdout);
	rc = fork();
	if (rc < 0)
		fail("fork: %s", strerror(errno));
	if (rc == 0) {
		execl("/bin/bash", "bash", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	while (waitpid(rc, &status, 0) < 0)
		if (errno != EINTR)
			fail("waitpid: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail("command failed (status %d)",
		     WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

static void tun_wait_ready(void);

static void run_step(char *line)
{
	char copy[1024], *w[MAX_WORDS], *save, *tok;
	struct seg_spec sp;
	int n = 0;

	snprintf(copy, sizeof(copy), "%s", line);
	for (tok = strtok_r(copy, " \t\n", &save); tok && n < MAX_WORDS;
	     tok = strtok_r(NULL, " \t\n", &save))
		w[n++] = tok;
	if (!n || w[0][0] == '#')
		return;
	step_text = line;
	printf("etp_pkt: %d: %s\n", lineno, line);
	fflush(stdout);

	if (!tun_ready && (!strcmp(w[0], "inject") ||
			   !strncmp(w[0], "expect", 6))) {
		tun_wait_ready();
		tun_ready = true;
	}
	if (!strcmp(w[0], "inject")) {
		parse_spec(w, n, &sp, true);
		no_pending();
		do_inject(&sp);
	} else if (!strcmp(w[0], "expect")) {
		parse_spec(w, n, &sp, false);
		do_expect(&sp, sp.within >= 0 ? sp.within : 3000);
	} else if (!strcmp(w[0], "icmp")) {
		no_pending();
		do_icmp(w, n);
	} else if (!strcmp(w[0], "expect-none")) {
		if (n != 2)
			fail("expect-none MS");
		do_expect_none(num(w[1], 600000));
	} else if (!strcmp(w[0], "sleep")) {
		if (n != 2)
			fail("sleep MS");
		usleep(num(w[1], 600000) * 1000);
	} else if (!strcmp(w[0], "ports")) {
		if (n != 3)
			fail("ports MPORT TPORT");
		mport = num(w[1], 0xffff);
		tport = num(w[2], 0xffff);
	} else if (!strcmp(w[0], "isn")) {
		if (n != 2)
			fail("isn N");
		test_isn = num(w[1], 0xffffffffUL);
	} else if (!strcmp(w[0], "exec")) {
		do_exec(line);
	} else {
		fail("unknown step '%s'", w[0]);
	}
}

static void tun_attach(const char *name)
{
	struct ifreq ifr = { 0 };

	tun_fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (tun_fd < 0) {
		perror("etp_pkt: /dev/net/tun");
		exit(4);
	}
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	if (ioctl(tun_fd, TUNSETIFF, &ifr) < 0) {
		fprintf(stderr, "etp_pkt: TUNSETIFF %s: %s\n", name,
			strerror(errno));
		exit(1);
	}
}

/*
 * Carrier comes on when we attach, but the device's qdisc is activated
 * later by linkwatch (up to a second): until then everything the kernel
 * sends into the tun is dropped. Wait until an ICMP echo from the peer is
 * answered through it, so no test step can lose a reply to that.
 */
static void tun_wait_ready(void)
{
	uint8_t pkt[MAX_PKT], *icmp = pkt + sizeof(struct iphdr);
	struct iphdr *ip = (struct iphdr *)pkt;
	int try;

	for (try = 0; try < 100; try++) {
		int64_t deadline = now_ms() + 100;
		uint16_t csum;

		memset(pkt, 0, sizeof(struct iphdr) + 8);
		ip_from_peer(pkt, IPPROTO_ICMP, 8);
		icmp[0] = 8;			/* echo request */
		icmp[4] = 0x45;			/* id "ET" */
		icmp[5] = 0x54;
		icmp[7] = try;
		csum = fold(sum16(icmp, 8, 0));
		icmp[2] = csum >> 8;
		icmp[3] = csum & 0xff;
		if (write(tun_fd, pkt, sizeof(*ip) + 8) < 0) {
			fprintf(stderr, "etp_pkt: write to tun: %s\n",
				strerror(errno));
			exit(1);
		}
		while (now_ms() < deadline) {
			struct pollfd pfd = { .fd = tun_fd, .events = POLLIN };
			ssize_t n;

			if (poll(&pfd, 1, deadline - now_ms()) <= 0)
				continue;
			n = read(tun_fd, pkt, sizeof(pkt));
			if (n >= (ssize_t)sizeof(*ip) + 8 && ip->version == 4 &&
			    ip->protocol == IPPROTO_ICMP &&
			    pkt[ip->ihl * 4] == 0 /* echo reply */)
				return;
			/* Sent by an exec step already: keep it for expect. */
			if (n > 0 && ip->version == 4 &&
			    ip->protocol == ETP_PROTO_DEFAULT) {
				int i = (stash_head + stash_n) % STASH_MAX;

				if (stash_n == STASH_MAX) {
					fprintf(stderr, "etp_pkt: too many segments before the first step\n");
					exit(1);
				}
				memcpy(stash[i].data, pkt, n);
				stash[i].len = n;
				stash_n++;
			}
		}
	}
	fprintf(stderr, "etp_pkt: the tun never answered an ICMP echo\n");
	exit(1);
}

/*
 * LOCAL/24 on the tun, no IPv6 (no router solicitations in the way), and
 * up. Our fd is attached, so carrier is on and the qdisc is activated as
 * the link comes up, not later by linkwatch. ioctl() rather than ip(8):
 * every process counts in a TCG guest with a debug kernel.
 */
static void tun_configure(const char *name)
{
	struct sockaddr_in *sin;
	struct ifreq ifr = { 0 };
	char path[128];
	int fd, sk;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6",
		 name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "1", 1) != 1)
			perror(path);
		close(fd);
	}
	sk = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sk < 0) {
		perror("etp_pkt: socket");
		exit(1);
	}
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	sin = (struct sockaddr_in *)&ifr.ifr_addr;
	sin->sin_family = AF_INET;
	sin->sin_addr = local_addr;
	if (ioctl(sk, SIOCSIFADDR, &ifr) < 0)
		goto err;
	sin->sin_addr.s_addr = htonl(0xffffff00);
	if (ioctl(sk, SIOCSIFNETMASK, &ifr) < 0)
		goto err;
	if (ioctl(sk, SIOCGIFFLAGS, &ifr) < 0)
		goto err;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(sk, SIOCSIFFLAGS, &ifr) < 0)
		goto err;
	close(sk);
	return;
err:
	fprintf(stderr, "etp_pkt: configuring %s: %s\n", name, strerror(errno));
	exit(1);
}

static void usage(void)
{
	fprintf(stderr, "usage: etp_pkt -i IFNAME [-a] [-l LOCAL] [-r PEER] [-f SCRIPT | STEP...]\n");
	exit(1);
}

int main(int argc, char **argv)
{
	const char *ifname = NULL, *script = NULL;
	bool configure = false;
	char line[1024];
	FILE *f = NULL;
	int c, i;

	inet_pton(AF_INET, "198.18.1.1", &local_addr);
	inet_pton(AF_INET, "198.18.1.2", &peer_addr);
	while ((c = getopt(argc, argv, "i:al:r:f:")) != -1) {
		switch (c) {
		case 'i': ifname = optarg; break;
		case 'a': configure = true; break;
		case 'l':
			if (inet_pton(AF_INET, optarg, &local_addr) != 1)
				usage();
			break;
		case 'r':
			if (inet_pton(AF_INET, optarg, &peer_addr) != 1)
				usage();
			break;
		case 'f': script = optarg; break;
		default: usage();
		}
	}
	if (!ifname || (script && optind < argc) || (!script && optind == argc))
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	tun_attach(ifname);
	if (configure)
		tun_configure(ifname);

	if (script) {
		f = strcmp(script, "-") ? fopen(script, "r") : stdin;
		if (!f) {
			perror(script);
			return 1;
		}
		while (fgets(line, sizeof(line), f)) {
			lineno++;
			line[strcspn(line, "\n")] = '\0';
			run_step(line);
		}
	} else {
		for (i = optind; i < argc; i++) {
			lineno = i - optind + 1;
			snprintf(line, sizeof(line), "%s", argv[i]);
			run_step(line);
		}
	}
	if (ignored_pkts)
		printf("etp_pkt: %u non-etp packets ignored\n", ignored_pkts);
	printf("etp_pkt: all steps passed\n");
	return 0;
}
