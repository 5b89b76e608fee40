// SPDX-License-Identifier: GPL-2.0
/*
 * etp_inject: send one hand-made etp segment with a raw IPv4 socket.
 *
 * The segment is built here, independently of module/core, so tests check
 * the module against a second reading of docs/protocol.md, and so it can be
 * wrong on purpose: bad checksum, short, bad offset, odd flags or version.
 *
 * usage: etp_inject -s SRC -d DST [-P proto] [-S sport] [-D dport]
 *        [-q seq] [-a ack] [-f flags] [-w window] [-v version] [-o doff]
 *        [-m mss] [-l payload_len] [-t truncate_to] [-c (corrupt checksum)]
 *        [-n count]
 *   flags: comma list of FIN,SYN,RST,PSH,ACK or a number
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define HDR_LEN 20
#define MAX_SEG 1500

struct seg_opts {
	struct in_addr src, dst;
	int proto;
	unsigned int sport, dport, seq, ack, flags, window, version, doff;
	unsigned int mss, payload, truncate, count;
	int corrupt;
};

static void die(const char *msg)
{
	fprintf(stderr, "etp_inject: %s\n", msg);
	exit(1);
}

static unsigned int num(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || !*s)
		die("bad number");
	return v;
}

static unsigned int parse_flags(char *s)
{
	static const char *const names[] = { "FIN", "SYN", "RST", "PSH", "ACK" };
	unsigned int flags = 0, i;
	char *tok;

	if (s[0] >= '0' && s[0] <= '9')
		return num(s);
	for (tok = strtok(s, ","); tok; tok = strtok(NULL, ",")) {
		for (i = 0; i < 5; i++)
			if (!strcasecmp(tok, names[i]))
				break;
		if (i == 5)
			die("unknown flag");
		flags |= 1u << i;
	}
	return flags;
}

static uint32_t sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (p[i] << 8) | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	return sum;
}

/* RFC 1071 over the IPv4 pseudo-header and the whole segment. */
static uint16_t seg_csum(const struct seg_opts *o, const uint8_t *seg,
			 size_t len)
{
	uint8_t pseudo[12];
	uint32_t sum;

	memcpy(pseudo, &o->src, 4);
	memcpy(pseudo + 4, &o->dst, 4);
	pseudo[8] = 0;
	pseudo[9] = o->proto;
	pseudo[10] = len >> 8;
	pseudo[11] = len & 0xff;
	sum = sum16(seg, len, sum16(pseudo, sizeof(pseudo), 0));
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

static void put16(uint8_t *p, unsigned int v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(uint8_t *p, unsigned int v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static size_t build(const struct seg_opts *o, uint8_t *seg)
{
	size_t hlen = o->mss ? HDR_LEN + 4 : HDR_LEN;
	size_t len = hlen + o->payload;
	unsigned int doff = o->doff ? o->doff : hlen / 4;
	uint16_t csum;

	if (len > MAX_SEG)
		die("segment too large");
	memset(seg, 0, len);
	put16(seg, o->sport);
	put16(seg + 2, o->dport);
	put32(seg + 4, o->seq);
	put32(seg + 8, o->ack);
	seg[12] = (o->version << 4) | (doff & 0x0f);
	seg[13] = o->flags;
	put16(seg + 14, o->window);
	if (o->mss) {
		seg[20] = 2;
		seg[21] = 4;
		put16(seg + 22, o->mss);
	}
	memset(seg + hlen, 'e', o->payload);
	if (o->truncate && o->truncate < len)
		len = o->truncate;
	csum = seg_csum(o, seg, len);
	if (o->corrupt)
		csum ^= 0x5a5a;
	if (len >= 18)
		put16(seg + 16, csum);
	return len;
}

static void parse_args(int argc, char **argv, struct seg_opts *o)
{
	int c;

	while ((c = getopt(argc, argv, "s:d:P:S:D:q:a:f:w:v:o:m:l:t:cn:")) != -1) {
		switch (c) {
		case 's': if (!inet_aton(optarg, &o->src)) die("bad -s"); break;
		case 'd': if (!inet_aton(optarg, &o->dst)) die("bad -d"); break;
		case 'P': o->proto = num(optarg); break;
		case 'S': o->sport = num(optarg); break;
		case 'D': o->dport = num(optarg); break;
		case 'q': o->seq = num(optarg); break;
		case 'a': o->ack = num(optarg); break;
		case 'f': o->flags = parse_flags(optarg); break;
		case 'w': o->window = num(optarg); break;
		case 'v': o->version = num(optarg); break;
		case 'o': o->doff = num(optarg); break;
		case 'm': o->mss = num(optarg); break;
		case 'l': o->payload = num(optarg); break;
		case 't': o->truncate = num(optarg); break;
		case 'c': o->corrupt = 1; break;
		case 'n': o->count = num(optarg); break;
		default: die("see the usage comment at the top of etp_inject.c");
		}
	}
	if (!o->src.s_addr || !o->dst.s_addr)
		die("-s SRC and -d DST are required");
}

int main(int argc, char **argv)
{
	struct seg_opts o = {
		.proto = 253, .sport = 40000, .dport = 7, .seq = 1000,
		.window = 65535, .version = 1, .flags = 0x02, .count = 1,
	};
	uint8_t pkt[sizeof(struct iphdr) + MAX_SEG];
	struct iphdr *ip = (struct iphdr *)pkt;
	struct sockaddr_in to = { .sin_family = AF_INET };
	size_t len;
	int fd, one = 1;

	parse_args(argc, argv, &o);
	len = build(&o, pkt + sizeof(*ip));

	/* Our own IP header: the source must match the pseudo-header. */
	memset(ip, 0, sizeof(*ip));
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = o.proto;
	ip->saddr = o.src.s_addr;
	ip->daddr = o.dst.s_addr;
	ip->tot_len = htons(sizeof(*ip) + len);
	to.sin_addr = o.dst;

	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one)))
		die("raw socket (need CAP_NET_RAW)");
	while (o.count--) {
		if (sendto(fd, pkt, sizeof(*ip) + len, 0,
			   (struct sockaddr *)&to, sizeof(to)) < 0) {
			perror("etp_inject: sendto");
			return 1;
		}
	}
	close(fd);
	return 0;
}
