/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a TIME_WAIT entry keeps of its tcb. In TIME_WAIT both FINs are
 * sent and acknowledged and nothing is left to send or to read (RFC 9293
 * 3.10.7.4: "the only thing that can arrive in this state is a
 * retransmission of the remote FIN"), so the state machine needs only the
 * sequence numbers it answers with and checks against, the windows of
 * its acceptability tests and the time of its last answer to an
 * unacceptable segment. Linux keeps a small inet_timewait_sock in place of
 * a TCP socket for the same reason. docs/protocol.md section 5.
 */
#ifndef _ETP_CORE_TW_H
#define _ETP_CORE_TW_H

#include "fsm.h"

#define ETP_TW_WS_OK	0x80	/* in rcv_wscale: window scale agreed */

struct etp_tw_tcb {
	u32 snd_nxt;		/* = SND.UNA = SND.MAX: our FIN is acked */
	u32 rcv_nxt;		/* past the peer's FIN */
	u32 rcv_wnd;
	u32 max_snd_wnd;	/* RFC 5961 5.2; shown as SND.WND too */
	u32 last_oow_ms;
	u32 iss;
	u32 irs;
	u8 rcv_wscale;		/* | ETP_TW_WS_OK */
};

bool etp_tw_packable(const struct etp_tcb *tcb);
void etp_tw_pack(struct etp_tw_tcb *tw, const struct etp_tcb *tcb);
void etp_tw_unpack(struct etp_tcb *tcb, const struct etp_tw_tcb *tw,
		   u16 lport, u16 rport);

#endif /* _ETP_CORE_TW_H */
