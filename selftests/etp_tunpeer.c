// SPDX-License-Identifier: GPL-2.0
/*
 * etp_tunpeer: a peer of etp.ko on the far side of a tun device that
 * speaks the protocol loosely and lies a lot, for as long as it runs.
 *
 * It writes, at a steady rate: random bytes as segments (half of them
 * with a correct checksum, so they reach the decoder); real segments with
 * a few bytes changed; and its own side of connections: SYNs to the
 * module's listener, data, FINs, RSTs, duplicates, segments out of order,
 * out of window or with an impossible ACK, some split into IP fragments.
 * It answers the module's SYNs (a SYN|ACK, a RST or nothing) and ACKs its
 * data. Each segment it writes is classified as the receive path must
 * classify it, with the module's own decoder (module/core/wire.c): too
 * short, bad checksum, bad offset, version, flags or option, or valid; the
 * selftest holds the module's counters to those numbers, exactly.
 *
 * Everything the module sends back is read and checked: an IPv4 header
 * from the tun's address to the peer, not fragmented, a correct etp
 * checksum, and a header that etp's own decoder accepts. A single bad one
 * fails the run.
 *
 * usage: etp_tunpeer -i IFNAME [-l LOCAL] [-r PEER] [-p PORT] [-n FLOWS]
 *                    [-R PER_SECOND] [-s SEED]
 * IFNAME is an existing tun device whose address is LOCAL (198.18.1.1),
 * with PEER (198.18.1.2) reachable through it, up. Prints "ready" once the
 * tun carries traffic (an ICMP echo is answered), then reads and answers
 * but writes nothing of its own until SIGUSR2 (so the caller can look at
 * the counters first); SIGUSR1 stops the writing; SIGTERM reads until the
 * module has been silent for 300 ms and then prints the figures as one
 * JSON line and exits: 0, or 1 if the module sent a bad segment.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/etp.h>
#include <netinet/ip.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "wire.h"

#define MAX_PKT		2048
#define MAX_FLOWS	256
#define IPH		((int)sizeof(struct iphdr))

static int tun = -1;
static struct in_addr local, peer;
static uint16_t mport = 8000;
static volatile sig_atomic_t writing, stop_writing, draining;

/* What was written, classified as etp_rcv() must count it. */
static unsigned long cls[ETP_WIRE_ERR_MAX + 1];
#define CLS_CSUM	ETP_WIRE_ERR_MAX	/* the one decode does not see */
static unsigned long written, fragmented, handshakes, passive, data_out;
static unsigned long got, got_other, bad, rst_in, data_in;

/* --- time -------------------------------------------------------------- */

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t now_ms(void)
{
	return now_us() / 1000;
}

static void set_csum(uint8_t *seg, size_t len)
{
	uint16_t c;

	seg[ETP_CSUM_OFFSET] = seg[ETP_CSUM_OFFSET + 1] = 0;
	c = etp_csum(peer, local, seg, len);
	seg[ETP_CSUM_OFFSET] = c >> 8;
	seg[ETP_CSUM_OFFSET + 1] = c & 0xff;
}

/* How etp_rcv() must count seg: its order is length, checksum, decode. */
static int classify(const uint8_t *seg, size_t len)
{
	struct etp_seg s;

	if (len < ETP_HDR_LEN)
		return ETP_WIRE_SHORT;
	if (etp_csum(peer, local, seg, len))
		return CLS_CSUM;
	return etp_wire_decode(seg, len, &s);
}

/* --- writing ------------------------------------------------------------ */

static void ip_hdr(uint8_t *pkt, uint8_t proto, size_t payload, uint16_t id,
		   uint16_t frag)
{
	struct iphdr *ip = (struct iphdr *)pkt;

	memset(ip, 0, IPH);
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = proto;
	ip->id = htons(id);
	ip->frag_off = htons(frag);
	ip->saddr = peer.s_addr;
	ip->daddr = local.s_addr;
	ip->tot_len = htons(IPH + payload);
	ip->check = htons(fold(sum16(pkt, IPH, 0)));
}

static void tun_write(const uint8_t *pkt, size_t len)
{
	if (write(tun, pkt, len) != (ssize_t)len) {
		perror("etp_tunpeer: write");
		exit(1);
	}
}

/*
 * One segment (in pkt after room for the IP header) into the tun, whole
 * or in two fragments; counted by what it is.
 */
static void emit(uint8_t *pkt, size_t len)
{
	static uint16_t ip_id;
	uint8_t frag[MAX_PKT];
	size_t first;

	cls[classify(pkt + IPH, len)]++;
	written++;
	ip_id++;
	if (len < 64 || !chance(5)) {
		ip_hdr(pkt, ETP_PROTO_DEFAULT, len, ip_id, 0);
		tun_write(pkt, IPH + len);
		return;
	}
	/* Reassembled into one skb with a frag_list before etp sees it. */
	fragmented++;
	first = (8 + below(len - 16)) & ~7u;
	memcpy(frag + IPH, pkt + IPH + first, len - first);
	ip_hdr(pkt, ETP_PROTO_DEFAULT, first, ip_id, IP_MF);
	ip_hdr(frag, ETP_PROTO_DEFAULT, len - first, ip_id, first / 8);
	if (chance(50)) {
		tun_write(frag, IPH + len - first);
		tun_write(pkt, IPH + first);
	} else {
		tun_write(pkt, IPH + first);
		tun_write(frag, IPH + len - first);
	}
}

/* A well-formed segment from peer port pport to mport, payload random. */
static size_t encode(uint8_t *pkt, const struct etp_seg *s, size_t payload)
{
	uint8_t *seg = pkt + IPH;
	size_t hlen = etp_wire_encode(s, seg, MAX_PKT - IPH), i;

	if (!hlen) {
		fprintf(stderr, "etp_tunpeer: etp_wire_encode failed\n");
		exit(1);
	}
	for (i = 0; i < payload; i++)
		seg[hlen + i] = rnd();
	set_csum(seg, hlen + payload);
	return hlen + payload;
}

/* Random bytes; half with the checksum made right. */
static void write_garbage(void)
{
	uint8_t pkt[MAX_PKT];
	size_t len = chance(90) ? below(64) : below(1400), i;

	for (i = 0; i < len; i++)
		pkt[IPH + i] = rnd();
	if (len >= 4 && chance(50)) {	/* at a real port, often */
		pkt[IPH + 2] = mport >> 8;
		pkt[IPH + 3] = mport & 0xff;
	}
	if (len >= ETP_HDR_LEN && chance(50)) {
		if (chance(50))		/* version 1, a plausible offset */
			pkt[IPH + 12] = 0x10 | (5 + below(11));
		set_csum(pkt + IPH, len);
	}
	emit(pkt, len);
}

/* A real segment with a few octets changed: near misses of every rule. */
static void write_mutant(void)
{
	uint8_t pkt[MAX_PKT];
	struct etp_seg s = {
		.sport = 40000 + below(64), .dport = chance(70) ? mport : rnd(),
		.seq = rnd(), .ack = rnd(), .flags = rnd(), .window = rnd(),
		.mss = chance(30) ? rnd() : 0, .ws_present = chance(20),
		.wscale = below(20),
	};
	size_t len = encode(pkt, &s, chance(50) ? below(200) : 0);
	int i, n = below(4);

	for (i = 0; i < n; i++)
		pkt[IPH + below(len < 24 ? len : 24)] ^= 1 << below(8);
	if (chance(80))
		set_csum(pkt + IPH, len);
	emit(pkt, len);
}

/* --- connections, the peer's side --------------------------------------- */

enum fstate { F_FREE, F_SYN_SENT, F_OPEN, F_FIN_SENT };

struct flow {
	enum fstate st;
	uint16_t mport, pport;
	uint32_t snd_nxt, rcv_nxt;
	int64_t since;
};

static struct flow flows[MAX_FLOWS];
static int n_flows = 16;

static void flow_send(struct flow *f, uint8_t flags, uint32_t seq,
		      size_t payload, uint16_t window)
{
	uint8_t pkt[MAX_PKT];
	struct etp_seg s = {
		.sport = f->pport, .dport = f->mport, .seq = seq,
		.ack = flags & ETP_FLAG_ACK ? f->rcv_nxt : 0, .flags = flags,
		.window = window,
	};

	if (flags & ETP_FLAG_SYN) {
		s.mss = chance(80) ? 64 + below(1400) : 0;
		s.ws_present = chance(50);
		s.wscale = below(15);
	}
	emit(pkt, encode(pkt, &s, payload));
	data_out += payload;
}

static uint16_t window(void)
{
	return chance(5) ? 0 : chance(20) ? below(65536) : 65535;
}

/* A step on one of the peer's connections to the module's listener. */
static void flow_step(struct flow *f)
{
	uint32_t len = 1 + below(1400);
	unsigned int r = below(100);

	switch (f->st) {
	case F_FREE:
		f->mport = mport;
		f->snd_nxt = rnd();
		f->rcv_nxt = 0;
		f->st = F_SYN_SENT;
		f->since = now_ms();
		flow_send(f, ETP_FLAG_SYN, f->snd_nxt++, 0, 65535);
		return;
	case F_SYN_SENT:
	case F_FIN_SENT:
		if (now_ms() - f->since > 1000)
			f->st = F_FREE;		/* the module may still care */
		return;
	case F_OPEN:
		break;
	}
	if (r < 40) {			/* data, in order */
		flow_send(f, ETP_FLAG_ACK | (chance(30) ? ETP_FLAG_PSH : 0),
			  f->snd_nxt, len, window());
		f->snd_nxt += len;
	} else if (r < 50) {		/* beyond a hole */
		flow_send(f, ETP_FLAG_ACK, f->snd_nxt + 1 + below(30000), len,
			  window());
	} else if (r < 58) {		/* again, or partly again */
		flow_send(f, ETP_FLAG_ACK, f->snd_nxt - below(3000), len,
			  window());
	} else if (r < 63) {		/* FIN */
		flow_send(f, ETP_FLAG_ACK | ETP_FLAG_FIN, f->snd_nxt++, 0,
			  window());
		f->st = F_FIN_SENT;
		f->since = now_ms();
	} else if (r < 67) {		/* RST, exactly in place */
		flow_send(f, ETP_FLAG_RST, f->snd_nxt, 0, 0);
		f->st = F_FREE;
	} else if (r < 71) {		/* RST in the window: challenge ACK */
		flow_send(f, ETP_FLAG_RST, f->snd_nxt + 1 + below(60000), 0, 0);
	} else if (r < 74) {		/* SYN on a synchronized connection */
		flow_send(f, ETP_FLAG_SYN, f->snd_nxt - 1, 0, 65535);
	} else if (r < 80) {		/* an ACK of what was never sent */
		f->rcv_nxt += below(2) ? 1 + below(100000) : -below(100000);
		flow_send(f, ETP_FLAG_ACK, f->snd_nxt, 0, window());
	} else if (r < 82) {		/* gone without a word */
		f->st = F_FREE;
	} else {			/* a window update */
		flow_send(f, ETP_FLAG_ACK, f->snd_nxt, 0, window());
	}
}

static struct flow *flow_find(uint16_t m, uint16_t p)
{
	int i;

	for (i = 0; i < MAX_FLOWS; i++)
		if (flows[i].st != F_FREE && flows[i].mport == m &&
		    flows[i].pport == p)
			return &flows[i];
	return NULL;
}

/* The module connects to the peer: accept, refuse or ignore. */
static void passive_syn(const struct etp_seg *s)
{
	struct flow tmp = {
		.mport = s->sport, .pport = s->dport, .rcv_nxt = s->seq + 1,
	};
	struct flow *f = flow_find(s->sport, s->dport);
	int i;

	if (f)
		return;		/* a retransmitted SYN: our answer stands */
	for (i = n_flows; i < MAX_FLOWS && flows[i].st != F_FREE; i++)
		;
	if (chance(15)) {
		flow_send(&tmp, ETP_FLAG_RST | ETP_FLAG_ACK, 0, 0, 0);
		return;
	}
	if (chance(15) || i == MAX_FLOWS)
		return;
	f = &flows[i];
	*f = tmp;
	f->snd_nxt = rnd();
	f->st = F_OPEN;
	passive++;
	flow_send(f, ETP_FLAG_SYN | ETP_FLAG_ACK, f->snd_nxt++, 0, 65535);
}

/* What the module said on a connection. */
static void flow_input(const struct etp_seg *s)
{
	struct flow *f = flow_find(s->sport, s->dport);
	uint32_t len = etp_seg_len(s);

	if (s->flags & ETP_FLAG_RST) {
		rst_in++;
		if (f)
			f->st = F_FREE;
		return;
	}
	if (!writing || stop_writing)	/* not a word */
		return;
	if ((s->flags & ETP_FLAG_SYN) && !(s->flags & ETP_FLAG_ACK)) {
		passive_syn(s);
		return;
	}
	if (!f)
		return;
	if (f->st == F_SYN_SENT) {
		if (!(s->flags & ETP_FLAG_SYN) || s->ack != f->snd_nxt)
			return;
		f->rcv_nxt = s->seq + 1;
		f->st = F_OPEN;
		handshakes++;
		flow_send(f, ETP_FLAG_ACK, f->snd_nxt, 0, 65535);
		return;
	}
	if (s->flags & ETP_FLAG_SYN)
		return;
	if (len && s->seq == f->rcv_nxt) {
		f->rcv_nxt += len;
		data_in += s->payload_len;
	}
	if (len && chance(90))		/* ACK it, or ACK again */
		flow_send(f, ETP_FLAG_ACK, f->snd_nxt, 0, window());
	if ((s->flags & ETP_FLAG_FIN) && f->st == F_FIN_SENT)
		f->st = F_FREE;
}

/* --- reading ------------------------------------------------------------ */

static void complain(const char *what, const uint8_t *pkt, ssize_t n)
{
	ssize_t i;

	if (++bad > 5)
		return;
	fprintf(stderr, "etp_tunpeer: bad segment from the module: %s:", what);
	for (i = 0; i < n && i < 64; i++)
		fprintf(stderr, " %02x", pkt[i]);
	fprintf(stderr, "\n");
}

static void read_one(const uint8_t *pkt, ssize_t n)
{
	const struct iphdr *ip = (const void *)pkt;
	struct in_addr src, dst;
	struct etp_seg s;
	size_t ihl, tot;

	if (n < IPH || ip->version != 4 || ip->protocol != ETP_PROTO_DEFAULT) {
		got_other++;
		return;
	}
	got++;
	ihl = ip->ihl * 4;
	tot = ntohs(ip->tot_len);
	src.s_addr = ip->saddr;
	dst.s_addr = ip->daddr;
	if (ihl != IPH || tot != (size_t)n || fold(sum16(pkt, ihl, 0)))
		complain("IPv4 header", pkt, n);
	else if (src.s_addr != local.s_addr || dst.s_addr != peer.s_addr)
		complain("addresses", pkt, n);
	else if (ntohs(ip->frag_off) & 0x3fff)
		complain("fragmented", pkt, n);
	else if (tot - ihl < ETP_HDR_LEN ||
		 etp_csum(src, dst, pkt + ihl, tot - ihl))
		complain("etp checksum", pkt, n);
	else if (etp_wire_decode(pkt + ihl, tot - ihl, &s) != ETP_WIRE_OK)
		complain("etp header", pkt, n);
	else
		flow_input(&s);
}

/* Everything queued on the tun now; false if there was nothing. */
static bool read_all(void)
{
	uint8_t pkt[MAX_PKT];
	bool any = false;
	ssize_t n;

	while ((n = read(tun, pkt, sizeof(pkt))) > 0) {
		read_one(pkt, n);
		any = true;
	}
	if (n < 0 && errno != EAGAIN && errno != EINTR) {
		perror("etp_tunpeer: read");
		exit(1);
	}
	return any;
}

/* --- set-up ----------------------------------------------------------- */

static void attach(const char *name)
{
	struct ifreq ifr = { .ifr_flags = IFF_TUN | IFF_NO_PI };

	tun = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	if (tun < 0 || ioctl(tun, TUNSETIFF, &ifr) < 0 ||
	    fcntl(tun, F_SETFL, O_NONBLOCK) < 0) {
		fprintf(stderr, "etp_tunpeer: attaching %s: %s\n", name,
			strerror(errno));
		exit(1);
	}
}

/* Until an ICMP echo from the peer comes back: the tun transmits. */
static void wait_ready(void)
{
	uint8_t pkt[MAX_PKT];
	int i;

	for (i = 0; i < 200; i++) {
		uint8_t *icmp = pkt + IPH;
		int64_t end = now_ms() + 50;
		uint16_t c;

		memset(icmp, 0, 8);
		icmp[0] = 8;
		icmp[7] = i;
		c = fold(sum16(icmp, 8, 0));
		icmp[2] = c >> 8;
		icmp[3] = c & 0xff;
		ip_hdr(pkt, IPPROTO_ICMP, 8, 0, 0);
		tun_write(pkt, IPH + 8);
		while (now_ms() < end) {
			struct pollfd pfd = { .fd = tun, .events = POLLIN };
			ssize_t n;

			poll(&pfd, 1, end - now_ms());
			n = read(tun, pkt, sizeof(pkt));
			if (n >= IPH + 8 && pkt[9] == IPPROTO_ICMP &&
			    pkt[IPH] == 0)
				return;
			if (n > 0)
				read_one(pkt, n);
		}
	}
	fprintf(stderr, "etp_tunpeer: the tun never answered an ICMP echo\n");
	exit(1);
}

static void on_signal(int sig)
{
	if (sig == SIGUSR2)
		writing = 1;
	else if (sig == SIGUSR1)
		stop_writing = 1;
	else
		stop_writing = draining = 1;
}

static void report(void)
{
	printf("{\"written\":%lu,\"valid\":%lu,\"drop_short\":%lu,"
	       "\"drop_bad_checksum\":%lu,\"drop_bad_offset\":%lu,"
	       "\"drop_bad_version\":%lu,\"drop_bad_flags\":%lu,"
	       "\"drop_bad_option\":%lu,\"fragmented\":%lu,\"handshakes\":%lu,"
	       "\"passive\":%lu,\"data_out\":%lu,\"read\":%lu,"
	       "\"read_other\":%lu,\"read_bad\":%lu,\"rst_in\":%lu,"
	       "\"data_in\":%lu}\n", written, cls[ETP_WIRE_OK],
	       cls[ETP_WIRE_SHORT], cls[CLS_CSUM], cls[ETP_WIRE_BAD_OFFSET],
	       cls[ETP_WIRE_BAD_VERSION], cls[ETP_WIRE_BAD_FLAGS],
	       cls[ETP_WIRE_BAD_OPTION], fragmented, handshakes, passive,
	       data_out, got, got_other, bad, rst_in, data_in);
}

int main(int argc, char **argv)
{
	const char *ifname = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	int64_t next, quiet_since = 0;
	unsigned int rate = 500;
	int c;

	inet_pton(AF_INET, "198.18.1.1", &local);
	inet_pton(AF_INET, "198.18.1.2", &peer);
	rng = time(NULL) ^ getpid();
	while ((c = getopt(argc, argv, "i:l:r:p:n:R:s:")) != -1) {
		switch (c) {
		case 'i': ifname = optarg; break;
		case 'l': inet_pton(AF_INET, optarg, &local); break;
		case 'r': inet_pton(AF_INET, optarg, &peer); break;
		case 'p': mport = strtoul(optarg, NULL, 0); break;
		case 'n': n_flows = strtoul(optarg, NULL, 0) % (MAX_FLOWS / 2); break;
		case 'R': rate = strtoul(optarg, NULL, 0); break;
		case 's': rng = strtoull(optarg, NULL, 0); break;
		default: goto usage;
		}
	}
	if (!ifname || !rate)
		goto usage;
	if (!rng)
		rng = 1;
	for (c = 0; c < MAX_FLOWS; c++)
		flows[c].pport = 40000 + c;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	attach(ifname);
	wait_ready();
	fprintf(stderr, "etp_tunpeer: seed %llu\n", (unsigned long long)rng);
	printf("ready\n");
	fflush(stdout);
	next = now_us();
	for (;;) {
		struct pollfd pfd = { .fd = tun, .events = POLLIN };
		int64_t now = now_us();

		if (read_all())
			quiet_since = now;
		if (draining && now - quiet_since > 300000)
			break;
		if (!writing)
			next = now;
		else if (!stop_writing && now >= next) {
			unsigned int r = below(100);

			if (r < 20)
				write_garbage();
			else if (r < 35)
				write_mutant();
			else
				flow_step(&flows[below(n_flows)]);
			next += 1000000 / rate;
			if (next < now - 100000)	/* no bursts to catch up */
				next = now;
			continue;
		}
		poll(&pfd, 1, !writing || stop_writing ? 100 :
			 (next - now) / 1000);
	}
	report();
	return bad ? 1 : 0;
usage:
	fprintf(stderr, "usage: etp_tunpeer -i IFNAME [-l LOCAL] [-r PEER] [-p PORT] [-n FLOWS] [-R PER_SECOND] [-s SEED]\n");
	return 1;
}
