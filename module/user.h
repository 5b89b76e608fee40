/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The user calls of RFC 9293 section 3.10 (OPEN, CLOSE, ABORT), with typed
 * arguments: netlink.c turns requests into these calls and their distinct
 * errors into what the user is told.
 */
#ifndef _ETP_USER_H
#define _ETP_USER_H

#include <uapi/linux/etp.h>

struct etp_entry;
struct etp_net;

/*
 * Passive OPEN. The new listener comes back with a reference. -EUSERS
 * (max_conns reached), -EADDRINUSE (the port has a listener), -ENOMEM,
 * -ENODEV (the netns is going away).
 */
int etp_user_listen(struct etp_net *en, u16 port, u32 backlog,
		    struct etp_entry **ret);

/*
 * The source address a connection to raddr would use, and its route's MTU;
 * a routing errno.
 */
int etp_user_route(struct etp_net *en, __be32 raddr, u16 rport,
		   __be32 *laddr, u32 *mtu);

/*
 * Active OPEN from laddr (as etp_user_route() chose it). lport 0 picks a
 * free ephemeral port. The new connection comes back with a reference:
 * over veth the whole handshake may be over before the caller replies.
 * -EUSERS, -EADDRINUSE (the 4-tuple is taken), -EADDRNOTAVAIL (no free
 * ephemeral port), -ENOMEM, -ENODEV.
 */
int etp_user_connect(struct etp_net *en, __be32 laddr, __be32 raddr,
		     u16 lport, u16 rport, u32 mtu, struct etp_entry **ret);

/*
 * CLOSE (graceful) or ABORT. -EINVAL if the call is not valid in the
 * entry's state, which is returned in *state.
 */
int etp_user_close(struct etp_entry *e, bool abort,
		   enum etp_conn_state *state);

/*
 * SEND (RFC 9293 3.10.2): queue up to len octets, *queued says how many.
 * -EPIPE if the connection no longer sends (closed, or never opened),
 * -EAGAIN if the send queue is full, -ENOMEM if no memory for it. When
 * not all was queued, a data event says when there is room.
 */
int etp_user_send(struct etp_entry *e, const void *buf, u32 len,
		  u32 *queued);

/*
 * RECEIVE (3.10.3): up to len octets handed to out (core/stream.h), *got
 * of them; *eof once the peer's FIN follows them. Nothing to read yet: 0,
 * and a data event says when there is; -ECONNRESET or -ENOTCONN if there
 * never will be.
 */
int etp_user_recv(struct etp_entry *e, const struct etp_sink *out, u32 len,
		  u32 *got, bool *eof);

#endif /* _ETP_USER_H */
