// SPDX-License-Identifier: GPL-2.0
/*
 * etp_nlraw: send one hand-built request to a generic netlink family (etp by
 * default), so tests can send what etpctl never would: missing, misplaced,
 * mistyped or out-of-range attributes. Prints "OK", or the kernel's errno
 * name, its extack message and the attribute it blamed as the types from
 * the outermost nest in ("EINVAL: msg [attr 3/1]"). Exits 0 if the kernel
 * accepted the request, 2 if it refused, 1 on a usage or local error.
 *
 * usage: etp_nlraw [-F FAMILY] CMD [ATTR...]
 *   ATTR: TYPE:u8:V | TYPE:u16:V | TYPE:u32:V | TYPE:u64:V | TYPE:str:S |
 *         TYPE:flag | TYPE:bin:LEN | TYPE:nest ... end
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/etp.h>

#include "nl.h"

static void put_attr(struct nlmsghdr *nlh, char *spec, struct nlattr **nests,
		     int *depth)
{
	char *type_s = strtok(spec, ":"), *kind = strtok(NULL, ":");
	char *val = strtok(NULL, "");
	static char zeros[4096];
	int type;

	if (!strcmp(spec, "end") && *depth > 0) {
		mnl_attr_nest_end(nlh, nests[--*depth]);
		return;
	}
	if (!kind || (strcmp(kind, "nest") && strcmp(kind, "flag") && !val) ||
	    (!strcmp(kind, "nest") && *depth == 8)) {
		fprintf(stderr, "etp_nlraw: bad attribute '%s'\n", spec);
		exit(1);
	}
	type = strtol(type_s, NULL, 0);
	if (!strcmp(kind, "nest"))
		nests[(*depth)++] = mnl_attr_nest_start(nlh, type);
	else if (!strcmp(kind, "flag"))
		mnl_attr_put(nlh, type, 0, NULL);
	else if (!strcmp(kind, "str"))
		mnl_attr_put_strz(nlh, type, val);
	else if (!strcmp(kind, "bin"))
		mnl_attr_put(nlh, type, strtoul(val, NULL, 0) % sizeof(zeros),
			     zeros);
	else if (!strcmp(kind, "u8"))
		mnl_attr_put_u8(nlh, type, strtoul(val, NULL, 0));
	else if (!strcmp(kind, "u16"))
		mnl_attr_put_u16(nlh, type, strtoul(val, NULL, 0));
	else if (!strcmp(kind, "u32"))
		mnl_attr_put_u32(nlh, type, strtoul(val, NULL, 0));
	else if (!strcmp(kind, "u64"))
		mnl_attr_put_u64(nlh, type, strtoull(val, NULL, 0));
	else {
		fprintf(stderr, "etp_nlraw: unknown kind '%s'\n", kind);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	static char buf[1 << 17];	/* SEND may carry more than 64 KiB */
	const char *family = ETP_GENL_NAME;
	struct nlattr *nests[8];
	struct nlmsghdr *nlh;
	struct etp_nl nl;
	int depth = 0, err, c, i;

	while ((c = getopt(argc, argv, "F:")) != -1) {
		if (c != 'F')
			goto usage;
		family = optarg;
	}
	if (optind >= argc)
		goto usage;
	err = nl_open(&nl, family);
	if (err) {
		fprintf(stderr, "etp_nlraw: family %s: %s\n", family,
			strerror(-err));
		return 1;
	}
	nlh = nl_msg(&nl, buf, strtol(argv[optind], NULL, 0), 0);
	for (i = optind + 1; i < argc; i++)
		put_attr(nlh, argv[i], nests, &depth);
	err = nl_talk(&nl, nlh, NULL, NULL);
	if (!err) {
		printf("OK\n");
		nl_close(&nl);
		return 0;
	}
	printf("%s", strerrorname_np(-err));
	if (nl.extack[0] || nl.bad_depth)
		printf(":");
	if (nl.extack[0])
		printf(" %s", nl.extack);
	for (i = 0; i < nl.bad_depth; i++)
		printf("%s%u", i ? "/" : " [attr ", nl.bad_attr[i]);
	printf("%s\n", nl.bad_depth ? "]" : "");
	nl_close(&nl);
	return 2;
usage:
	fprintf(stderr, "usage: etp_nlraw [-F FAMILY] CMD [TYPE:KIND:VALUE]...\n");
	return 1;
}
