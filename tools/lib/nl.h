/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Talking to a generic netlink family with libmnl: the one copy shared by
 * etpctl, the benchmarks and the selftest helpers.
 */
#ifndef ETP_TOOLS_NL_H
#define ETP_TOOLS_NL_H

#include <stdint.h>
#include <libmnl/libmnl.h>

#define NL_BAD_ATTR_DEPTH	4
#define NL_MAX_GROUPS		4

struct etp_nl {
	struct mnl_socket *sock;
	uint16_t family;
	/* The family's multicast groups, as the controller named them. */
	struct {
		char name[16];
		uint32_t id;
	} groups[NL_MAX_GROUPS];
	unsigned int seq;
	unsigned int portid;
	char extack[256];	/* the kernel's message for the last error */
	/* The attribute it blamed: types from the outermost nest in. */
	uint16_t bad_attr[NL_BAD_ATTR_DEPTH];
	int bad_depth;		/* 0: none */
	/* The range of the policy it violated (NLMSGERR_ATTR_POLICY). */
	int has_range;
	uint64_t range_min, range_max;
	const struct nlmsghdr *req;	/* during nl_talk */
};

/*
 * Each returns 0 or a negative errno; on error nl->extack may say why.
 * nl_open() resolves the family by name: -ENOENT if it is not registered.
 */
int nl_open(struct etp_nl *nl, const char *family);
void nl_close(struct etp_nl *nl);
struct nlmsghdr *nl_msg(struct etp_nl *nl, void *buf, uint8_t cmd,
			uint16_t flags);
int nl_talk(struct etp_nl *nl, struct nlmsghdr *req, mnl_cb_t cb,
	    void *data);
/*
 * nl_talk() for a request whose last attribute, of type type, carries len
 * octets from data, wherever they are (a buffer, a mapped file): they go
 * from there to the kernel, not copied into req first. req holds the rest.
 */
int nl_talk_data(struct etp_nl *nl, struct nlmsghdr *req, uint16_t type,
		 const void *data, uint32_t len, mnl_cb_t cb, void *arg);
/*
 * For a request the kernel always answers with one message when it
 * succeeds: no ACK after that reply (an error still comes, as NLMSG_ERROR),
 * so nl_talk() ends at the reply. Half the messages for SEND and RECV.
 */
static inline void nl_reply_only(struct nlmsghdr *req)
{
	req->nlmsg_flags &= ~NLM_F_ACK;
}
/* Join the family's multicast group of that name; -ENOENT if none. */
int nl_subscribe(struct etp_nl *nl, const char *group);
void nl_set_rcvbuf(struct etp_nl *nl, int bytes);
/*
 * Read messages that are not replies (events) and pass each to cb until it
 * returns MNL_CB_STOP or MNL_CB_ERROR. Multicast events come one per read,
 * so stopping never drops the next one.
 */
int nl_listen(struct etp_nl *nl, mnl_cb_t cb, void *data);
/* Every event already queued to cb, without waiting for more. */
int nl_drain(struct etp_nl *nl, mnl_cb_t cb, void *data);

/* Attributes of a genetlink message, indexed by type (up to max). */
int nl_parse(const struct nlmsghdr *nlh, const struct nlattr **tb, int max);
int nl_parse_nested(const struct nlattr *nest, const struct nlattr **tb,
		    int max);
/*
 * Either of those (nest's attributes if nest is not NULL), keeping in tb
 * only what types[] names and whose payload fits its type: a reader of
 * events from a newer or broken kernel then meets absent attributes, never
 * short ones.
 */
int nl_parse_typed(const struct nlmsghdr *nlh, const struct nlattr *nest,
		   const struct nlattr **tb, int max,
		   const enum mnl_attr_data_type *types);

#endif /* ETP_TOOLS_NL_H */
