// SPDX-License-Identifier: GPL-2.0
/*
 * In-kernel exchange client: asks etp.ko (ETP_TEST_CMD_EXCHANGE,
 * module/test/exchange.c) to open and close COUNT connections of etp and
 * of Linux TCP from this netns to NETNS, in the kernel, without the system
 * calls, netlink messages and wakeups of etp_connrate's programs, and
 * prints one line per protocol:
 *     proto=etp conns=N us=MEAN_MICROSECONDS_PER_CONNECTION
 *
 * Usage: etp_kexchange NETNS ADDR PORT COUNT
 * Run it in the client's netns (ip netns exec); NETNS is the server's
 * (/run/netns/NETNS), with an etp listener on PORT at ADDR. Needs
 * CAP_NET_ADMIN and a test build of etp.ko. Exit 1 on usage, 2 on a kernel
 * error (its extack message is printed).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "etp_test.h"
#include <linux/genetlink.h>

#include "nl.h"
#include "results.h"

static const char * const protos[] = { "etp", "tcp" };

static void usage(void)
{
	fprintf(stderr, "usage: etp_kexchange NETNS ADDR PORT COUNT\n");
	exit(1);
}

static unsigned long number(const char *s, unsigned long max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || !*s || !v || v > max)
		usage();
	return v;
}

int main(int argc, char **argv)
{
	struct test_result r[2] = {};
	struct test_results res = { protos, r, 2 };
	char buf[MNL_SOCKET_BUFFER_SIZE], path[PATH_MAX];
	struct nlmsghdr *nlh;
	struct in_addr addr;
	struct etp_nl nl;
	int fd, err, i;

	if (argc != 5 || inet_pton(AF_INET, argv[2], &addr) != 1)
		usage();
	snprintf(path, sizeof(path), "/run/netns/%s", argv[1]);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "etp_kexchange: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (nl_open(&nl, ETP_TEST_GENL_NAME)) {
		fprintf(stderr, "etp_kexchange: no %s family: load a test build of etp.ko\n",
			ETP_TEST_GENL_NAME);
		return 2;
	}
	nlh = nl_msg(&nl, buf, ETP_TEST_CMD_EXCHANGE, 0);
	mnl_attr_put_u32(nlh, ETP_TEST_A_NETNS_FD, fd);
	mnl_attr_put_u32(nlh, ETP_TEST_A_ADDR, addr.s_addr);
	mnl_attr_put_u16(nlh, ETP_TEST_A_PORT, number(argv[3], 65535));
	mnl_attr_put_u32(nlh, ETP_TEST_A_COUNT, number(argv[4], 100000));
	err = nl_talk(&nl, nlh, test_results_cb, &res);
	if (err) {
		fprintf(stderr, "etp_kexchange: %s%s%s\n", strerror(-err),
			nl.extack[0] ? ": " : "", nl.extack);
		return 2;
	}
	if (test_results_check(&res, "etp_kexchange"))
		return 2;
	for (i = 0; i < 2; i++)
		printf("proto=%s conns=%llu us=%.1f\n", protos[i],
		       (unsigned long long)r[i].ops, r[i].ns / 1e3 / r[i].ops);
	nl_close(&nl);
	return 0;
}
