// SPDX-License-Identifier: GPL-2.0
/* Talking to a generic netlink family with libmnl (nl.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "nl.h"

struct attr_table {
	const struct nlattr **tb;
	int max;
};

static int attr_cb(const struct nlattr *attr, void *data)
{
	struct attr_table *t = data;
	int type = mnl_attr_get_type(attr);

	if (type <= t->max)
		t->tb[type] = attr;
	return MNL_CB_OK;
}

int nl_parse(const struct nlmsghdr *nlh, const struct nlattr **tb, int max)
{
	struct attr_table t = { tb, max };

	memset(tb, 0, sizeof(*tb) * (max + 1));
	return mnl_attr_parse(nlh, GENL_HDRLEN, attr_cb, &t) < 0 ? -EINVAL : 0;
}

int nl_parse_nested(const struct nlattr *nest, const struct nlattr **tb,
		    int max)
{
	struct attr_table t = { tb, max };

	memset(tb, 0, sizeof(*tb) * (max + 1));
	return mnl_attr_parse_nested(nest, attr_cb, &t) < 0 ? -EINVAL : 0;
}

int nl_parse_typed(const struct nlmsghdr *nlh, const struct nlattr *nest,
		   const struct nlattr **tb, int max,
		   const enum mnl_attr_data_type *types)
{
	int i;

	if (nest ? nl_parse_nested(nest, tb, max) : nl_parse(nlh, tb, max))
		return -EINVAL;
	for (i = 1; i <= max; i++)
		if (tb[i] && (!types[i] || mnl_attr_validate(tb[i], types[i])))
			tb[i] = NULL;
	return 0;
}

/*
 * mnl_cb_run2 hands one pointer to both the data and the control callbacks;
 * the error callback needs the socket state, the data callback the caller's.
 */
struct talk {
	struct etp_nl *nl;
	mnl_cb_t cb;
	void *data;
};

static int data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct talk *t = data;
	const struct nlmsghdr *req = t->nl->req;
	int ret = t->cb ? t->cb(nlh, t->data) : MNL_CB_OK;

	/* Asked without NLM_F_ACK: a doit's one reply is the whole answer. */
	if (ret == MNL_CB_OK && req && !(req->nlmsg_flags & NLM_F_ACK) &&
	    !(nlh->nlmsg_flags & NLM_F_MULTI))
		return MNL_CB_STOP;
	return ret;
}

/*
 * NLMSGERR_ATTR_OFFS points into the request: record the types of the
 * attribute there and of the nests around it, outermost first.
 */
static void keep_bad_attr(struct etp_nl *nl, uint32_t off)
{
	const struct nlmsghdr *req = nl->req;
	const struct nlattr *attr;
	const char *pos, *end;
	uint32_t at;
	int len;

	if (!req || off >= req->nlmsg_len)
		return;
	pos = mnl_nlmsg_get_payload_offset(req, GENL_HDRLEN);
	end = (const char *)req + req->nlmsg_len;
	while (nl->bad_depth < NL_BAD_ATTR_DEPTH) {
		for (attr = (const void *)pos;; attr = mnl_attr_next(attr)) {
			len = end - (const char *)attr;
			if (!mnl_attr_ok(attr, len))
				return;
			at = (const char *)attr - (const char *)req;
			if (off >= at && off < at + attr->nla_len)
				break;
		}
		nl->bad_attr[nl->bad_depth++] = mnl_attr_get_type(attr);
		if (off == at)
			return;
		pos = mnl_attr_get_payload(attr);
		end = (const char *)attr + attr->nla_len;
	}
}

/* NLMSGERR_ATTR_POLICY: keep an unsigned range (a value out of range). */
static void keep_policy(struct etp_nl *nl, const struct nlattr *policy)
{
	const struct nlattr *tb[NL_POLICY_TYPE_ATTR_MAX + 1];
	const struct nlattr *min, *max;

	if (nl_parse_nested(policy, tb, NL_POLICY_TYPE_ATTR_MAX))
		return;
	min = tb[NL_POLICY_TYPE_ATTR_MIN_VALUE_U];
	max = tb[NL_POLICY_TYPE_ATTR_MAX_VALUE_U];
	if (!min || !max || mnl_attr_validate(min, MNL_TYPE_U64) ||
	    mnl_attr_validate(max, MNL_TYPE_U64))
		return;
	nl->range_min = mnl_attr_get_u64(min);
	nl->range_max = mnl_attr_get_u64(max);
	nl->has_range = 1;
}

static void keep_extack(struct etp_nl *nl, const struct nlmsghdr *nlh,
			unsigned int off)
{
	const struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, off) {
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			snprintf(nl->extack, sizeof(nl->extack), "%s",
				 mnl_attr_get_str(attr));
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_OFFS &&
		    mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			keep_bad_attr(nl, mnl_attr_get_u32(attr));
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_POLICY)
			keep_policy(nl, attr);
	}
}

/* NLMSG_ERROR: an ACK (error 0) ends the exchange; else keep the extack. */
static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	struct talk *t = data;
	unsigned int off = sizeof(*err);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += mnl_nlmsg_get_payload_len(&err->msg);
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
		keep_extack(t->nl, nlh, off);
	if (err->error) {
		errno = -err->error;
		return MNL_CB_ERROR;
	}
	return MNL_CB_STOP;
}

/*
 * NLMSG_DONE ends a dump; it carries an int error (0 or negative) and, with
 * NLM_F_ACK_TLVS, the same extack attributes as NLMSG_ERROR.
 */
static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	struct talk *t = data;
	int err = 0;

	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(err))
		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
		keep_extack(t->nl, nlh, sizeof(err));
	if (err < 0) {
		errno = -err;
		return MNL_CB_ERROR;
	}
	return MNL_CB_STOP;
}

/* libmnl ignores a control message whose slot here is NULL. */
static mnl_cb_t ctl_cbs[NLMSG_MIN_TYPE] = {
	[NLMSG_ERROR] = error_cb,
	[NLMSG_DONE] = done_cb,
};

struct nlmsghdr *nl_msg(struct etp_nl *nl, void *buf, uint8_t cmd,
			uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = nl->family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++nl->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = 1;	/* etp's and etp_test's, and the controller's */
	return nlh;
}

/*
 * The buffer is on the stack so that threads (etp_connrate) and callbacks
 * that talk on another socket each have their own.
 */
static int run(struct etp_nl *nl, unsigned int seq, mnl_cb_t cb, void *data)
{
	/* A RECV reply carries up to 64 KiB of data. */
	char buf[1 << 17];
	struct talk t = { nl, cb, data };
	ssize_t n;
	int ret;

	do {
		n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		ret = mnl_cb_run2(buf, n, seq, seq ? nl->portid : 0, data_cb,
				  &t, ctl_cbs, NLMSG_MIN_TYPE);
		if (ret == MNL_CB_ERROR)
			return errno ? -errno : -EIO;
	} while (ret > 0);
	return 0;
}

static void talk_begin(struct etp_nl *nl)
{
	nl->extack[0] = '\0';
	nl->bad_depth = 0;
	nl->has_range = 0;
}

/* req has been sent: its replies, up to the last. */
static int talk_replies(struct etp_nl *nl, const struct nlmsghdr *req,
			mnl_cb_t cb, void *data)
{
	int err;

	nl->req = req;
	err = run(nl, req->nlmsg_seq, cb, data);
	nl->req = NULL;
	return err;
}

int nl_talk(struct etp_nl *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data)
{
	talk_begin(nl);
	if (mnl_socket_sendto(nl->sock, req, req->nlmsg_len) < 0)
		return -errno;
	return talk_replies(nl, req, cb, data);
}

int nl_talk_data(struct etp_nl *nl, struct nlmsghdr *req, uint16_t type,
		 const void *data, uint32_t len, mnl_cb_t cb, void *arg)
{
	static const char pad[MNL_ALIGNTO];
	struct nlattr *attr = mnl_nlmsg_get_payload_tail(req);
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	uint32_t head = req->nlmsg_len;
	struct iovec iov[3] = {
		{ req, head + MNL_ATTR_HDRLEN },
		{ (void *)data, len },
		{ (void *)pad, MNL_ALIGN(len) - len },
	};
	struct msghdr msg = {
		.msg_name = &kernel, .msg_namelen = sizeof(kernel),
		.msg_iov = iov, .msg_iovlen = 3,
	};
	int err;

	attr->nla_type = type;
	attr->nla_len = MNL_ATTR_HDRLEN + len;
	req->nlmsg_len += MNL_ALIGN(attr->nla_len);
	talk_begin(nl);
	err = sendmsg(mnl_socket_get_fd(nl->sock), &msg, 0) < 0 ? -errno : 0;
	/* An error's offsets are looked up in req: only what is there. */
	req->nlmsg_len = head;
	return err ? err : talk_replies(nl, req, cb, arg);
}

/* Events arrive with sequence number 0 until cb returns MNL_CB_STOP. */
int nl_listen(struct etp_nl *nl, mnl_cb_t cb, void *data)
{
	return run(nl, 0, cb, data);
}

int nl_drain(struct etp_nl *nl, mnl_cb_t cb, void *data)
{
	char buf[1 << 16];
	struct talk t = { nl, cb, data };
	ssize_t n;
	int ret;

	for (;;) {
		n = recv(mnl_socket_get_fd(nl->sock), buf, sizeof(buf),
			 MSG_DONTWAIT);
		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		ret = mnl_cb_run2(buf, n, 0, 0, data_cb, &t, ctl_cbs,
				  NLMSG_MIN_TYPE);
		if (ret == MNL_CB_ERROR)
			return errno ? -errno : -EIO;
	}
}

int nl_subscribe(struct etp_nl *nl, const char *name)
{
	uint32_t group = 0;
	int i;

	for (i = 0; i < NL_MAX_GROUPS; i++)
		if (!strcmp(nl->groups[i].name, name))
			group = nl->groups[i].id;
	if (!group)
		return -ENOENT;
	if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP, &group,
				  sizeof(group)) < 0)
		return -errno;
	return 0;
}

/*
 * A subscriber that falls behind loses events (ENOBUFS): give it room. The
 * forced size needs CAP_NET_ADMIN; otherwise rmem_max caps the request.
 */
void nl_set_rcvbuf(struct etp_nl *nl, int bytes)
{
	int fd = mnl_socket_get_fd(nl->sock);

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
}

static void family_groups(struct etp_nl *nl, const struct nlattr *groups)
{
	const struct nlattr *grp, *tb[CTRL_ATTR_MCAST_GRP_MAX + 1];
	int n = 0;

	mnl_attr_for_each_nested(grp, groups) {
		if (nl_parse_nested(grp, tb, CTRL_ATTR_MCAST_GRP_MAX) ||
		    !tb[CTRL_ATTR_MCAST_GRP_NAME] ||
		    !tb[CTRL_ATTR_MCAST_GRP_ID] || n == NL_MAX_GROUPS)
			continue;
		snprintf(nl->groups[n].name, sizeof(nl->groups[n].name), "%s",
			 mnl_attr_get_str(tb[CTRL_ATTR_MCAST_GRP_NAME]));
		nl->groups[n++].id =
			mnl_attr_get_u32(tb[CTRL_ATTR_MCAST_GRP_ID]);
	}
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1];
	struct etp_nl *nl = data;

	if (nl_parse(nlh, tb, CTRL_ATTR_MAX) || !tb[CTRL_ATTR_FAMILY_ID])
		return MNL_CB_ERROR;
	nl->family = mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	if (tb[CTRL_ATTR_MCAST_GROUPS])
		family_groups(nl, tb[CTRL_ATTR_MCAST_GROUPS]);
	return MNL_CB_OK;
}

static int resolve_family(struct etp_nl *nl, const char *family)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	nl->family = GENL_ID_CTRL;
	nlh = nl_msg(nl, buf, CTRL_CMD_GETFAMILY, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, family);
	return nl_talk(nl, nlh, family_cb, nl);
}

int nl_open(struct etp_nl *nl, const char *family)
{
	int one = 1;

	memset(nl, 0, sizeof(*nl));
	nl->seq = time(NULL);
	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sock)
		return -errno;
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0)
		goto err;
	nl->portid = mnl_socket_get_portid(nl->sock);
	/* Ask for the kernel's reason with every error, without the echo. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	if (resolve_family(nl, family) < 0)
		goto err;
	return 0;
err:
	one = -errno;
	mnl_socket_close(nl->sock);
	nl->sock = NULL;
	return one;
}

void nl_close(struct etp_nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}
