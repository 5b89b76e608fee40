// SPDX-License-Identifier: GPL-2.0
/*
 * User calls: each enters the state machine for one entry under its lock,
 * and etp_exec() carries out what it decided. Listen, connect, close and
 * abort are serialised by netlink.c's etp_nl_mutex; send and recv need only
 * the entry's lock.
 */
#include <linux/err.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <net/route.h>

#include "conn.h"
#include "exec.h"
#include "isn.h"
#include "main.h"
#include "user.h"

/* Local ports picked for CONNECT without one, as Linux's default range. */
#define ETP_EPHEMERAL_LO	32768
#define ETP_EPHEMERAL_N		28232

int etp_user_listen(struct etp_net *en, u16 port, u32 backlog,
		    struct etp_entry **ret)
{
	struct etp_ev ev = { .p = NULL };
	struct etp_actions act;
	struct etp_listener *l;
	struct etp_params p;
	int err;

	l = etp_listener_new(en, port, backlog);
	if (IS_ERR(l))
		return PTR_ERR(l);
	etp_params_read(en, &p);
	etp_fsm_init(&l->tcb, &p, port, 0);

	spin_lock_bh(&l->e.lock);
	err = etp_entry_hash(&l->e);
	if (err) {
		spin_unlock_bh(&l->e.lock);
		etp_entry_discard(&l->e);
		return err == -EEXIST ? -EADDRINUSE : err;
	}
	etp_fsm_open_listen(&l->tcb, &act);
	etp_exec(&l->e, &ev, &act, NULL);
	spin_unlock_bh(&l->e.lock);
	*ret = &l->e;
	return 0;
}

int etp_user_route(struct etp_net *en, __be32 raddr, u16 rport,
		   __be32 *laddr, u32 *mtu)
{
	struct flowi4 fl4;
	struct rtable *rt;

	rt = ip_route_output_ports(en->net, &fl4, NULL, raddr, *laddr,
				   htons(rport), 0, etp_proto, 0, 0);
	if (IS_ERR(rt))
		return PTR_ERR(rt);
	*laddr = fl4.saddr;
	*mtu = dst_mtu(&rt->dst);
	ip_rt_put(rt);
	return 0;
}

/* Hash c under its own port, or under a free ephemeral one if lport is 0. */
static int etp_connect_hash(struct etp_conn *c, u16 lport)
{
	u32 start, i;
	int err;

	if (lport) {
		c->e.key.lport = htons(lport);
		err = etp_entry_hash(&c->e);
		return err == -EEXIST ? -EADDRINUSE : err;
	}
	start = get_random_u32_below(ETP_EPHEMERAL_N);
	for (i = 0; i < ETP_EPHEMERAL_N; i++) {
		u16 port = ETP_EPHEMERAL_LO + (start + i) % ETP_EPHEMERAL_N;

		c->e.key.lport = htons(port);
		err = etp_entry_hash(&c->e);
		if (err != -EEXIST)
			return err;
		if (i % 64 == 63)
			cond_resched();
	}
	return -EADDRNOTAVAIL;
}

int etp_user_connect(struct etp_net *en, __be32 laddr, __be32 raddr,
		     u16 lport, u16 rport, u32 mtu, struct etp_entry **ret)
{
	struct etp_key key = {
		.laddr = laddr, .raddr = raddr, .rport = htons(rport),
	};
	struct etp_actions act;
	struct etp_params p;
	struct etp_conn *c;
	struct etp_ev ev;
	int err;

	c = etp_conn_new(en, &key);
	if (IS_ERR(c))
		return PTR_ERR(c);
	spin_lock_bh(&c->e.lock);
	err = etp_connect_hash(c, lport);
	if (err) {
		spin_unlock_bh(&c->e.lock);
		etp_entry_discard(&c->e);
		return err;
	}
	etp_ev_init(en, &ev, &p);
	etp_fsm_init(&c->tcb, &p, ntohs(c->e.key.lport), rport);
	etp_fsm_set_pmtu(&c->tcb, mtu);
	etp_fsm_open_active(&c->tcb, &ev,
			    etp_isn(laddr, raddr, c->e.key.lport, key.rport),
			    &act);
	etp_exec(&c->e, &ev, &act, NULL);
	spin_unlock_bh(&c->e.lock);
	*ret = &c->e;
	return 0;
}

/* Reset the handshakes in progress that belong to listener id lid. */
static void etp_reset_children(struct etp_net *en, u32 lid)
{
	struct etp_ev ev = { .p = NULL };
	struct etp_actions act;
	struct etp_entry *e;
	unsigned long id = 0;

	for (; (e = etp_entry_next(en, &id)); id++) {
		struct etp_conn *c = container_of(e, struct etp_conn, e);

		spin_lock_bh(&e->lock);
		if (e->kind == ETP_KIND_CONN && !e->dead && c->listener &&
		    c->listener_id == lid && etp_fsm_abort(&c->tcb, &act))
			etp_exec(e, &ev, &act, NULL);
		spin_unlock_bh(&e->lock);
		etp_entry_put(e);
	}
}

int etp_user_close(struct etp_entry *e, bool abort,
		   enum etp_conn_state *state)
{
	struct etp_conn *c = etp_conn(e);
	struct etp_tcb buf, *tcb;
	struct etp_actions act;
	struct etp_params p;
	struct etp_ev ev;
	bool ok = false;

	etp_ev_init(e->en, &ev, &p);
	spin_lock_bh(&e->lock);
	ev.st = c ? c->st : NULL;
	*state = ETP_STATE_CLOSED;
	if (e->retired && abort) {
		/* Its reader gives up on what was left: it goes now. */
		etp_entry_unhash(e);
		ok = true;
	} else if (!e->dead) {
		tcb = etp_entry_tcb(e, &buf);
		*state = tcb->state;
		ok = abort ? etp_fsm_abort(tcb, &act) :
			     etp_fsm_close(tcb, &ev, &act);
		etp_entry_tcb_done(e, tcb);
		if (ok)
			etp_exec(e, &ev, &act, NULL);
	}
	spin_unlock_bh(&e->lock);
	if (!ok)
		return -EINVAL;
	if (e->kind == ETP_KIND_LISTENER)
		etp_reset_children(e->en, e->id);
	return 0;
}

int etp_user_send(struct etp_entry *e, const void *buf, u32 len, u32 *queued)
{
	struct etp_conn *c = etp_conn(e);
	struct etp_actions act;
	struct etp_params p;
	struct etp_ev ev;
	int err = 0;
	s32 n;

	*queued = 0;
	etp_ev_init(e->en, &ev, &p);
	spin_lock_bh(&e->lock);
	if (!c || e->dead || !etp_fsm_may_write(&c->tcb)) {
		err = -EPIPE;
		goto out;
	}
	ev.st = etp_conn_stream(c);
	if (!ev.st) {
		err = -ENOMEM;
		goto out;
	}
	n = etp_fsm_write(&c->tcb, &ev, buf, len, &act);
	etp_exec(e, &ev, &act, NULL);
	if (n <= 0) {
		/* Full (or no chunk to be had): tell the user when it is not. */
		c->want |= ETP_NOTE_WRITABLE;
		err = etp_fsm_send_space(&c->tcb, ev.st) ? -ENOMEM : -EAGAIN;
		goto out;
	}
	*queued = n;
	if (n < len)
		c->want |= ETP_NOTE_WRITABLE;
out:
	spin_unlock_bh(&e->lock);
	return err;
}

int etp_user_recv(struct etp_entry *e, const struct etp_sink *out, u32 len,
		  u32 *got, bool *eof)
{
	struct etp_conn *c = etp_conn(e);
	struct etp_actions act;
	struct etp_params p;
	struct etp_ev ev;
	int err = 0;

	*got = 0;
	*eof = false;
	etp_ev_init(e->en, &ev, &p);
	spin_lock_bh(&e->lock);
	/* A compact TIME_WAIT entry: the FIN came and all was read. */
	if (e->kind == ETP_KIND_TW) {
		*eof = true;
		goto out;
	}
	if (!c) {
		err = -ENOTCONN;
		goto out;
	}
	ev.st = c->st;
	*got = etp_fsm_read_to(&c->tcb, &ev, out, len, eof, &act);
	if (!e->dead)
		etp_exec(e, &ev, &act, NULL);
	if (!*got && !*eof) {
		if (e->dead)
			err = c->tcb.error ? -ECONNRESET : -ENOTCONN;
		else
			c->want |= ETP_NOTE_READABLE;
	}
	/* A retired connection goes once its reader has taken everything. */
	if (e->retired && !etp_fsm_readable(&c->tcb, c->st))
		etp_entry_unhash(e);
out:
	spin_unlock_bh(&e->lock);
	return err;
}
