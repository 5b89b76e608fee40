// SPDX-License-Identifier: GPL-2.0
/*
 * Test hook ETP_TEST_CMD_EXCHANGE (CAP_NET_ADMIN in the initial user
 * namespace): the exchange of tools/bench/etp_connrate, open to TIME_WAIT,
 * run COUNT times in the kernel for etp and for Linux TCP, without the
 * programs: what is left of a connection's cost once no system call, no
 * netlink message and no thread wakeup is on its path (issue 11, goal 2).
 *
 * The caller's netns is the client's; ETP_TEST_A_NETNS_FD names the
 * server's, where ETP_TEST_A_ADDR is and an etp listener waits on
 * ETP_TEST_A_PORT. The TCP listener is the hook's own, on the same port.
 *
 * etp: the user calls of user.c as etp_nl_connect() and etp_nl_close()
 * make them (route, CONNECT, CLOSE), then the server's CLOSE once its
 * connection is in CLOSE_WAIT, as etp_connrate's server thread does; each
 * wait is a poll of the state, which over veth is mostly already there
 * when the call that causes it returns (the peer's receive runs as bottom
 * halves are enabled again).
 * TCP: kernel sockets, as etp_connrate's program makes its calls:
 * connect(), accept() on the server, shutdown(SHUT_WR), the server reads
 * to EOF and closes, the client reads to EOF and closes.
 *
 * The two alternate connection by connection, so drift in the host's speed
 * falls on both. No state events are built if nobody listens for them, so
 * run it without `etpctl monitor`. Reply: ETP_TEST_A_BENCH nests "etp" and
 * "tcp", _OPS = connections, _NS = their summed time.
 */
#include <linux/in.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/net.h>
#include <linux/sched.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "../conn.h"
#include "../main.h"
#include "../netlink.h"
#include "../user.h"
#include "etp_test.h"
#include "test.h"

/* Each wait gives up after this long: a lost segment is a failed run. */
#define ETP_XCHG_WAIT	HZ

static struct netlink_range_validation etp_xchg_count_range = {
	.min = 1,
	.max = 100000,
};

const struct nla_policy etp_test_exchange_policy[ETP_TEST_A_MAX + 1] = {
	[ETP_TEST_A_COUNT] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &etp_xchg_count_range),
	[ETP_TEST_A_NETNS_FD] = { .type = NLA_U32 },
	[ETP_TEST_A_ADDR] = { .type = NLA_BE32 },
	[ETP_TEST_A_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
};

struct etp_xchg {
	struct net *cnet, *snet;	/* client's and server's netns */
	struct sockaddr_in sa;		/* the server */
	struct socket *lsock;		/* the TCP listener */
	u64 etp_ns, tcp_ns;
};

/* ---- etp ----------------------------------------------------------------- */

/* Until e is in state, or will never be: 0, -ECONNRESET or -ETIMEDOUT. */
static int etp_xchg_wait(struct etp_entry *e, u8 state)
{
	unsigned long end = jiffies + ETP_XCHG_WAIT;
	u8 now;

	while ((now = etp_entry_state(e)) != state) {
		if (now == ETP_STATE_CLOSED || READ_ONCE(e->dead))
			return -ECONNRESET;
		if (time_after(jiffies, end))
			return -ETIMEDOUT;
		cond_resched();
	}
	return 0;
}

static int etp_xchg_close(struct etp_entry *e)
{
	enum etp_conn_state state;
	int err;

	etp_nl_lock();
	err = etp_user_close(e, false, &state);
	etp_nl_unlock();
	return err;
}

/* The server's end of client connection c, once its FIN is in. */
static int etp_xchg_server_close(struct etp_xchg *x, struct etp_entry *c)
{
	struct etp_entry *s;
	int err;

	s = etp_lookup(etp_pernet(x->snet), c->key.raddr, c->key.laddr,
		       c->key.rport, c->key.lport);
	if (!s)
		return -ENOENT;
	err = etp_xchg_wait(s, ETP_STATE_CLOSE_WAIT) ?: etp_xchg_close(s);
	etp_entry_put(s);
	return err;
}

static int etp_xchg_etp(struct etp_xchg *x)
{
	struct etp_net *en = etp_pernet(x->cnet);
	u16 port = ntohs(x->sa.sin_port);
	__be32 laddr = 0;
	struct etp_entry *c;
	u32 mtu;
	int err;

	err = etp_user_route(en, x->sa.sin_addr.s_addr, port, &laddr, &mtu);
	if (err)
		return err;
	etp_nl_lock();
	err = etp_user_connect(en, laddr, x->sa.sin_addr.s_addr, 0, port, mtu,
			       &c);
	etp_nl_unlock();
	if (err)
		return err;
	err = etp_xchg_wait(c, ETP_STATE_ESTABLISHED) ?:
	      etp_xchg_close(c) ?:
	      etp_xchg_server_close(x, c) ?:
	      etp_xchg_wait(c, ETP_STATE_TIME_WAIT);
	etp_entry_put(c);
	return err;
}

/* ---- TCP ----------------------------------------------------------------- */

/* Read until EOF (0) or an error. */
static int etp_xchg_drain(struct socket *sock)
{
	char buf[64];
	struct kvec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr msg = {};
	int n;

	do {
		n = kernel_recvmsg(sock, &msg, &iov, 1, sizeof(buf), 0);
	} while (n > 0);
	return n;
}

/* A kernel socket in net whose waits give up as etp_xchg_wait() does. */
static int etp_xchg_socket(struct net *net, struct socket **sock)
{
	int err;

	err = sock_create_kern(net, AF_INET, SOCK_STREAM, IPPROTO_TCP, sock);
	if (err)
		return err;
	sock_set_sndtimeo((*sock)->sk, ETP_XCHG_WAIT / HZ);
	WRITE_ONCE((*sock)->sk->sk_rcvtimeo, ETP_XCHG_WAIT);
	return 0;
}

static int etp_xchg_tcp(struct etp_xchg *x)
{
	struct socket *cs, *ss = NULL;
	int err;

	err = etp_xchg_socket(x->cnet, &cs);
	if (err)
		return err;
	err = kernel_connect(cs, (struct sockaddr *)&x->sa, sizeof(x->sa), 0) ?:
	      kernel_accept(x->lsock, &ss, 0) ?:
	      kernel_sock_shutdown(cs, SHUT_WR) ?:
	      etp_xchg_drain(ss);
	if (ss)
		sock_release(ss);
	err = err ?: etp_xchg_drain(cs);
	sock_release(cs);
	return err;
}

static int etp_xchg_tcp_listen(struct etp_xchg *x)
{
	int err;

	err = etp_xchg_socket(x->snet, &x->lsock);
	if (err)
		return err;
	sock_set_reuseaddr(x->lsock->sk);
	err = kernel_bind(x->lsock, (struct sockaddr *)&x->sa,
			  sizeof(x->sa)) ?:
	      kernel_listen(x->lsock, 128);
	if (err)
		sock_release(x->lsock);
	return err;
}

/* ---- the run ------------------------------------------------------------- */

/* One connection of proto, its time added to *ns. */
static int etp_xchg_one(struct etp_xchg *x, int (*proto)(struct etp_xchg *),
			u64 *ns)
{
	u64 t0 = ktime_get_ns();
	int err;

	err = proto(x);
	*ns += ktime_get_ns() - t0;
	return err;
}

static int etp_xchg_run(struct etp_xchg *x, u32 count, struct genl_info *info)
{
	u32 i;
	int err;

	err = etp_xchg_tcp_listen(x);
	if (err) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[ETP_TEST_A_PORT],
				    "no TCP listener on ETP_TEST_A_PORT");
		return err;
	}
	for (i = 0; i < count && !err; i++) {
		err = etp_xchg_one(x, etp_xchg_etp, &x->etp_ns);
		if (err == -ECONNRESET) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    info->attrs[ETP_TEST_A_PORT],
					    "etp connection reset: no etp listener on ETP_TEST_A_PORT?");
			break;
		}
		if (err) {
			NL_SET_ERR_MSG(info->extack, "an etp connection failed");
			break;
		}
		err = etp_xchg_one(x, etp_xchg_tcp, &x->tcp_ns);
		if (err)
			NL_SET_ERR_MSG(info->extack, "a TCP connection failed");
		if (signal_pending(current))
			err = -EINTR;
		cond_resched();
	}
	sock_release(x->lsock);
	return err;
}

int etp_test_exchange(struct sk_buff *unused, struct genl_info *info)
{
	struct etp_xchg x = { .cnet = genl_info_net(info) };
	struct sk_buff *skb;
	void *hdr;
	u32 count;
	int err;

	if (ETP_REQUIRE(info, ETP_TEST_A_COUNT) ||
	    ETP_REQUIRE(info, ETP_TEST_A_NETNS_FD) ||
	    ETP_REQUIRE(info, ETP_TEST_A_ADDR) ||
	    ETP_REQUIRE(info, ETP_TEST_A_PORT))
		return -EINVAL;
	count = nla_get_u32(info->attrs[ETP_TEST_A_COUNT]);
	x.sa.sin_family = AF_INET;
	x.sa.sin_addr.s_addr = nla_get_in_addr(info->attrs[ETP_TEST_A_ADDR]);
	x.sa.sin_port = htons(nla_get_u16(info->attrs[ETP_TEST_A_PORT]));
	x.snet = get_net_ns_by_fd(nla_get_u32(info->attrs[ETP_TEST_A_NETNS_FD]));
	if (IS_ERR(x.snet)) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[ETP_TEST_A_NETNS_FD],
				    "ETP_TEST_A_NETNS_FD is not a netns");
		return PTR_ERR(x.snet);
	}
	if (x.snet == x.cnet) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[ETP_TEST_A_NETNS_FD],
				    "ETP_TEST_A_NETNS_FD is the caller's own netns");
		err = -EINVAL;
	} else {
		err = etp_xchg_run(&x, count, info);
	}
	put_net(x.snet);
	if (err)
		return err;

	skb = etp_test_reply_new(info, &hdr);
	if (!skb)
		return -ENOMEM;
	return etp_nl_reply_send(skb, hdr, info,
				 etp_test_put_result(skb, "etp", count,
						     x.etp_ns, NULL) ?:
				 etp_test_put_result(skb, "tcp", count,
						     x.tcp_ns, NULL));
}
