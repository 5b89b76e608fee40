// SPDX-License-Identifier: GPL-2.0
/*
 * What the state machine's numbers are called, spelled once: for the
 * module's netlink replies, events and tracepoints, and for etpctl, which
 * links this file too.
 */
#include "names.h"

static const char * const state_names[__ETP_STATE_MAX] = {
	[ETP_STATE_CLOSED]	= "CLOSED",
	[ETP_STATE_LISTEN]	= "LISTEN",
	[ETP_STATE_SYN_SENT]	= "SYN_SENT",
	[ETP_STATE_SYN_RCVD]	= "SYN_RCVD",
	[ETP_STATE_ESTABLISHED]	= "ESTABLISHED",
	[ETP_STATE_FIN_WAIT_1]	= "FIN_WAIT_1",
	[ETP_STATE_FIN_WAIT_2]	= "FIN_WAIT_2",
	[ETP_STATE_CLOSE_WAIT]	= "CLOSE_WAIT",
	[ETP_STATE_CLOSING]	= "CLOSING",
	[ETP_STATE_LAST_ACK]	= "LAST_ACK",
	[ETP_STATE_TIME_WAIT]	= "TIME_WAIT",
};

static const char * const cause_names[ETP_CAUSE_MAX] = {
	[ETP_CAUSE_NONE]		= "none",
	[ETP_CAUSE_CONNECT]		= "connect",
	[ETP_CAUSE_LISTEN]		= "listen",
	[ETP_CAUSE_SYN]			= "syn",
	[ETP_CAUSE_SYNACK]		= "synack",
	[ETP_CAUSE_ACK]			= "ack",
	[ETP_CAUSE_FIN]			= "fin",
	[ETP_CAUSE_RST]			= "rst",
	[ETP_CAUSE_CLOSE]		= "close",
	[ETP_CAUSE_ABORT]		= "abort",
	[ETP_CAUSE_TIMEOUT]		= "timeout",
	[ETP_CAUSE_FIN_WAIT_2_TIMEOUT]	= "fin_wait_2_timeout",
	[ETP_CAUSE_TIME_WAIT_DONE]	= "time_wait_done",
	[ETP_CAUSE_ICMP]		= "icmp",
};

static const char * const error_names[ETP_ERR_MAX] = {
	[ETP_ERR_NONE]		= "none",
	[ETP_ERR_REFUSED]	= "refused",
	[ETP_ERR_RESET]		= "reset",
	[ETP_ERR_TIMEDOUT]	= "timed_out",
	[ETP_ERR_NOPROTO]	= "no_protocol",
};

static const char * const drop_names[ETP_DROP_MAX] = {
	[ETP_DROP_NONE]			= "none",
	[ETP_DROP_NO_CONN]		= "no_conn",
	[ETP_DROP_OUT_OF_WINDOW]	= "out_of_window",
	[ETP_DROP_BAD_ACK]		= "bad_ack",
	[ETP_DROP_NO_ACK]		= "no_ack",
	[ETP_DROP_NO_SYN]		= "no_syn",
	[ETP_DROP_RST_INVALID]		= "rst_invalid",
	[ETP_DROP_RST_TIME_WAIT]	= "rst_time_wait",
	[ETP_DROP_SYN_SYNCED]		= "syn_synced",
	[ETP_DROP_OUT_OF_ORDER]		= "out_of_order",
	[ETP_DROP_AFTER_FIN]		= "after_fin",
	[ETP_DROP_OOO_FULL]		= "ooo_full",
	[ETP_DROP_NO_MEMORY]		= "no_memory",
};

static const char * const timer_names[ETP_T_MAX] = {
	[ETP_T_RETX]		= "retx",
	[ETP_T_PERSIST]		= "persist",
	[ETP_T_DELACK]		= "delack",
	[ETP_T_KEEPALIVE]	= "keepalive",
	[ETP_T_FIN_WAIT_2]	= "fin_wait_2",
	[ETP_T_TIME_WAIT]	= "time_wait",
};

static const char *name_of(const char * const *names, unsigned int n,
			   unsigned int i)
{
	return i < n && names[i] ? names[i] : "?";
}

const char *etp_state_name(enum etp_conn_state s)
{
	return name_of(state_names, __ETP_STATE_MAX, s);
}

const char *etp_cause_name(enum etp_cause c)
{
	return name_of(cause_names, ETP_CAUSE_MAX, c);
}

const char *etp_error_name(enum etp_error e)
{
	return name_of(error_names, ETP_ERR_MAX, e);
}

const char *etp_drop_name(enum etp_drop d)
{
	return name_of(drop_names, ETP_DROP_MAX, d);
}

const char *etp_timer_name(enum etp_timer_id id)
{
	return name_of(timer_names, ETP_T_MAX, id);
}
