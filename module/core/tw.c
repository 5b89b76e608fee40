// SPDX-License-Identifier: GPL-2.0
/*
 * The compact tcb of a TIME_WAIT entry (tw.h): packed when a connection
 * enters TIME_WAIT, unpacked into a whole tcb for each event the entry
 * sees and packed again after it. selftests/core/tw_test.c runs the same
 * events on whole and on packed tcbs and requires the same actions.
 */
#include "tcb.h"
#include "tw.h"

/* What etp_tw_unpack() rebuilds must hold: both FINs in, ours acked. */
bool etp_tw_packable(const struct etp_tcb *tcb)
{
	return tcb->state == ETP_STATE_TIME_WAIT && tcb->fin_queued &&
	       tcb->fin_rcvd && tcb->snd_una == tcb->write_seq + 1 &&
	       tcb->snd_nxt == tcb->snd_una && tcb->snd_max == tcb->snd_una;
}

void etp_tw_pack(struct etp_tw_tcb *tw, const struct etp_tcb *tcb)
{
	tw->snd_nxt = tcb->snd_nxt;
	tw->rcv_nxt = tcb->rcv_nxt;
	tw->rcv_wnd = tcb->rcv_wnd;
	tw->max_snd_wnd = tcb->max_snd_wnd;
	tw->last_oow_ms = tcb->last_oow_ms;
	tw->iss = tcb->iss;
	tw->irs = tcb->irs;
	tw->rcv_wscale = tcb->rcv_wscale | (tcb->ws_ok ? ETP_TW_WS_OK : 0);
}

/*
 * The rest is what TIME_WAIT never reads: the send side is done (no
 * queue, RTO or congestion state), the window is no longer taken from
 * ACKs (fsm.c on_ack()), and the per-connection counters start over.
 */
void etp_tw_unpack(struct etp_tcb *tcb, const struct etp_tw_tcb *tw,
		   u16 lport, u16 rport)
{
	memset(tcb, 0, sizeof(*tcb));
	tcb->state = ETP_STATE_TIME_WAIT;
	tcb->fin_queued = true;
	tcb->fin_rcvd = true;
	tcb->lport = lport;
	tcb->rport = rport;
	tcb->iss = tw->iss;
	tcb->irs = tw->irs;
	tcb->snd_una = tw->snd_nxt;
	tcb->snd_nxt = tw->snd_nxt;
	tcb->snd_max = tw->snd_nxt;
	tcb->write_seq = tw->snd_nxt - 1;
	tcb->snd_wnd = tw->max_snd_wnd;
	tcb->max_snd_wnd = tw->max_snd_wnd;
	tcb->rcv_nxt = tw->rcv_nxt;
	tcb->rcv_wnd = tw->rcv_wnd;
	tcb->rcv_wscale = tw->rcv_wscale & ~ETP_TW_WS_OK;
	tcb->ws_ok = tw->rcv_wscale & ETP_TW_WS_OK;
	tcb->last_oow_ms = tw->last_oow_ms;
	tcb->mss = ETP_DEFAULT_PEER_MSS;
	tcb->peer_mss = ETP_DEFAULT_PEER_MSS;
}
