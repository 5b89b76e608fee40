/* SPDX-License-Identifier: GPL-2.0 */
/*
 * etp tracepoints: every segment in and out (the ladder a lesson draws on
 * the board) and every state change, readable with the kernel's own
 * tracing tools (e.g. `echo 1 > /sys/kernel/tracing/events/etp/enable`).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM etp

#if !defined(_ETP_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _ETP_TRACE_H

#include <linux/tracepoint.h>

#include "core/fsm.h"
#include "core/names.h"
#include "core/wire.h"

#define etp_show_flags(f)					\
	__print_flags(f, "|",					\
		      { ETP_FLAG_SYN, "SYN" }, { ETP_FLAG_FIN, "FIN" },	\
		      { ETP_FLAG_RST, "RST" }, { ETP_FLAG_PSH, "PSH" },	\
		      { ETP_FLAG_ACK, "ACK" })

DECLARE_EVENT_CLASS(etp_segment_class,
		    TP_PROTO(__be32 saddr, __be32 daddr,
			     const struct etp_seg *seg),
		    TP_ARGS(saddr, daddr, seg),
		    TP_STRUCT__entry(__array(u8, saddr, 4)
				     __array(u8, daddr, 4)
				     __field(u16, sport)
				     __field(u16, dport)
				     __field(u32, seq)
				     __field(u32, ack)
				     __field(u16, window)
				     __field(u8, flags)
				     __field(u32, len)),
		    TP_fast_assign(memcpy(__entry->saddr, &saddr, 4);
				   memcpy(__entry->daddr, &daddr, 4);
				   __entry->sport = seg->sport;
				   __entry->dport = seg->dport;
				   __entry->seq = seg->seq;
				   __entry->ack = seg->ack;
				   __entry->window = seg->window;
				   __entry->flags = seg->flags;
				   __entry->len = seg->payload_len;),
		    TP_printk("%pI4:%u > %pI4:%u %s seq %u ack %u win %u len %u",
			      __entry->saddr, __entry->sport, __entry->daddr,
			      __entry->dport, etp_show_flags(__entry->flags),
			      __entry->seq, __entry->ack, __entry->window,
			      __entry->len));

/* A valid segment received (after header and checksum checks). */
DEFINE_EVENT(etp_segment_class, etp_segment_in,
	     TP_PROTO(__be32 saddr, __be32 daddr, const struct etp_seg *seg),
	     TP_ARGS(saddr, daddr, seg));

/* A segment handed to ip_local_out(). */
DEFINE_EVENT(etp_segment_class, etp_segment_out,
	     TP_PROTO(__be32 saddr, __be32 daddr, const struct etp_seg *seg),
	     TP_ARGS(saddr, daddr, seg));

/* The names are copied in, so perf and trace-cmd print them as they are. */
TRACE_EVENT(etp_state,
	    TP_PROTO(u32 id, u8 old_state, u8 new_state, const char *cause),
	    TP_ARGS(id, old_state, new_state, cause),
	    TP_STRUCT__entry(__field(u32, id)
			     __field(u8, old_state)
			     __field(u8, new_state)
			     __string(old, etp_state_name(old_state))
			     __string(new, etp_state_name(new_state))
			     __string(cause, cause)),
	    TP_fast_assign(__entry->id = id;
			   __entry->old_state = old_state;
			   __entry->new_state = new_state;
			   __assign_str(old, etp_state_name(old_state));
			   __assign_str(new, etp_state_name(new_state));
			   __assign_str(cause, cause);),
	    TP_printk("id %u %s -> %s (%s)", __entry->id, __get_str(old),
		      __get_str(new), __get_str(cause)));

/* A data, FIN, SYN or SYN|ACK segment sent again (retries: so far). */
TRACE_EVENT(etp_retransmit,
	    TP_PROTO(u32 id, const struct etp_seg *seg, u32 retries),
	    TP_ARGS(id, seg, retries),
	    TP_STRUCT__entry(__field(u32, id)
			     __field(u32, seq)
			     __field(u32, len)
			     __field(u8, flags)
			     __field(u32, retries)),
	    TP_fast_assign(__entry->id = id;
			   __entry->seq = seg->seq;
			   __entry->len = seg->payload_len;
			   __entry->flags = seg->flags;
			   __entry->retries = retries;),
	    TP_printk("id %u %s seq %u len %u retries %u", __entry->id,
		      etp_show_flags(__entry->flags), __entry->seq,
		      __entry->len, __entry->retries));

/* One of a connection's timers fired ("retx", "time_wait", ...). */
TRACE_EVENT(etp_timer_expire,
	    TP_PROTO(u32 id, u8 state, const char *timer, u32 backoff),
	    TP_ARGS(id, state, timer, backoff),
	    TP_STRUCT__entry(__field(u32, id)
			     __field(u32, backoff)
			     __string(state, etp_state_name(state))
			     __string(timer, timer)),
	    TP_fast_assign(__entry->id = id;
			   __entry->backoff = backoff;
			   __assign_str(state, etp_state_name(state));
			   __assign_str(timer, timer);),
	    TP_printk("id %u %s in %s backoff %u", __entry->id,
		      __get_str(timer), __get_str(state), __entry->backoff));

#endif /* _ETP_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
