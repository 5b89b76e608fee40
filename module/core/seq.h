/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Serial-number arithmetic on u32 (RFC 1982): sequence numbers and timer
 * wheel ticks both wrap, and both are compared the same way. a is before b
 * when b lies less than 2^31 ahead of it.
 */
#ifndef _ETP_CORE_SEQ_H
#define _ETP_CORE_SEQ_H

#include "etp_types.h"

static inline bool etp_before(u32 a, u32 b)
{
	return (s32)(a - b) < 0;
}

static inline bool etp_after(u32 a, u32 b)
{
	return etp_before(b, a);
}

#endif /* _ETP_CORE_SEQ_H */
