// SPDX-License-Identifier: GPL-2.0
/*
 * etp_tcpxfer: Linux TCP's side of the stream benchmark (run-stream),
 * driven as etpctl send drives etp: 64 KiB writes of zeros, the bytes
 * counted at the other end.
 *
 *   etp_tcpxfer sink PORT         accept one connection, read it to the
 *                                 end, print the octets read
 *   etp_tcpxfer send ADDR PORT MIB  connect, write MIB MiB, close
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CHUNK	65536

static int fail(const char *what)
{
	fprintf(stderr, "etp_tcpxfer: %s: %s\n", what, strerror(errno));
	return 1;
}

static int sink(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };
	static char buf[CHUNK];
	unsigned long long total = 0;
	int one = 1, s, c;
	ssize_t n;

	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		return fail("socket");
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 1))
		return fail("bind/listen");
	/* Ready: the script may start the sender once it reads this. */
	fprintf(stderr, "listening\n");
	c = accept(s, NULL, NULL);
	if (c < 0)
		return fail("accept");
	while ((n = read(c, buf, sizeof(buf))) > 0)
		total += n;
	if (n < 0)
		return fail("read");
	printf("%llu\n", total);
	return 0;
}

static int sender(const char *addr, int port, unsigned long mib)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };
	static char buf[CHUNK];
	unsigned long long left = (unsigned long long)mib << 20;
	ssize_t n;
	int s;

	if (inet_pton(AF_INET, addr, &a.sin_addr) != 1) {
		fprintf(stderr, "etp_tcpxfer: bad address %s\n", addr);
		return 1;
	}
	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)))
		return fail("connect");
	while (left) {
		n = write(s, buf, left < CHUNK ? left : CHUNK);
		if (n < 0)
			return fail("write");
		left -= n;
	}
	return close(s) ? fail("close") : 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "sink"))
		return sink(atoi(argv[2]));
	if (argc == 5 && !strcmp(argv[1], "send"))
		return sender(argv[2], atoi(argv[3]), strtoul(argv[4], NULL, 0));
	fprintf(stderr, "usage: etp_tcpxfer sink PORT | send ADDR PORT MIB\n");
	return 1;
}
