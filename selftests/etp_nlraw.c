// SPDX-License-Identifier: GPL-2.0
/*
 * etp_nlraw: send one hand-built request to the etp genetlink family, so
 * tests can send what etpctl never would: missing, misplaced, mistyped or
 * out-of-range attributes. Prints the kernel's errno name and extack
 * message, and exits 0 if the kernel accepted the request, 2 if it refused.
 *
 * usage: etp_nlraw CMD [ATTR...]
 *   ATTR: TYPE:u8:V | TYPE:u16:V | TYPE:u32:V | TYPE:u64:V | TYPE:str:S |
 *         TYPE:flag | TYPE:bin:LEN | TYPE:nest ... end
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/etp.h>
#include <libmnl/libmnl.h>

static char extack[256];

struct ctx {
	int family;
	int result;
};

static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	struct ctx *c = data;

	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		mnl_attr_for_each(attr, nlh, sizeof(*err))
			if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG)
				snprintf(extack, sizeof(extack), "%s",
					 mnl_attr_get_str(attr));
	}
	c->result = err->error;
	return MNL_CB_STOP;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID)
			((struct ctx *)data)->family = mnl_attr_get_u16(attr);
	return MNL_CB_OK;
}

static mnl_cb_t ctl[NLMSG_MIN_TYPE] = { [NLMSG_ERROR] = error_cb };

static int talk(struct mnl_socket *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		struct ctx *c)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int ret, n;

	c->result = 0;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	do {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			return -1;
		ret = mnl_cb_run2(buf, n, 0, 0, cb, c, ctl, NLMSG_MIN_TYPE);
	} while (ret > 0);
	return 0;
}

static struct nlmsghdr *msg(char *buf, int type, int cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = 1;
	return nlh;
}

static void put_attr(struct nlmsghdr *nlh, char *spec, struct nlattr **nests,
		     int *depth)
{
	char *type_s = strtok(spec, ":"), *kind = strtok(NULL, ":");
	char *val = strtok(NULL, "");
	int type;
	static char zeros[4096];

	if (!strcmp(spec, "end")) {
		mnl_attr_nest_end(nlh, nests[--*depth]);
		return;
	}
	if (!kind) {
		fprintf(stderr, "etp_nlraw: bad attribute '%s'\n", spec);
		exit(1);
	}
	type = strtol(type_s, NULL, 0);
	if (!strcmp(kind, "nest"))
		nests[(*depth)++] = mnl_attr_nest_start(nlh, type);
	else if (!strcmp(kind, "flag"))
		mnl_attr_put(nlh, type, 0, NULL);
	else if (!strcmp(kind, "str"))
		mnl_attr_put_strz(nlh, type, val ? val : "");
	else if (!strcmp(kind, "bin"))
		mnl_attr_put(nlh, type, strtoul(val, NULL, 0), zeros);
	else if (!strcmp(kind, "u8"))
		mnl_attr_put_u8(nlh, type, strtoul(val, NULL, 0));
	else if (!strcmp(kind, "u16"))
		mnl_attr_put_u16(nlh, type, strtoul(val, NULL, 0));
	else if (!strcmp(kind, "u32"))
		mnl_attr_put_u32(nlh, type, strtoul(val, NULL, 0));
	else if (!strcmp(kind, "u64"))
		mnl_attr_put_u64(nlh, type, strtoull(val, NULL, 0));
	else
		exit(1);
}

int main(int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlattr *nests[8];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct ctx c = { 0 };
	int one = 1, depth = 0, i;

	if (argc < 2) {
		fprintf(stderr, "usage: etp_nlraw CMD [TYPE:KIND:VALUE]...\n");
		return 1;
	}
	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return 1;
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));

	nlh = msg(buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, ETP_GENL_NAME);
	if (talk(nl, nlh, family_cb, &c) || !c.family) {
		fprintf(stderr, "etp_nlraw: family %s not found\n",
			ETP_GENL_NAME);
		return 1;
	}

	nlh = msg(buf, c.family, strtol(argv[1], NULL, 0));
	for (i = 2; i < argc; i++)
		put_attr(nlh, argv[i], nests, &depth);
	if (talk(nl, nlh, NULL, &c))
		return 1;
	printf("%s%s%s\n", c.result ? strerrorname_np(-c.result) : "OK",
	       extack[0] ? ": " : "", extack);
	return c.result ? 2 : 0;
}
