/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ETP_CORE_NAMES_H
#define _ETP_CORE_NAMES_H

#include "fsm.h"

/* "SYN_SENT", "syn", ...; "?" for a number out of range. */
const char *etp_state_name(enum etp_conn_state s);
const char *etp_cause_name(enum etp_cause c);
const char *etp_error_name(enum etp_error e);
const char *etp_drop_name(enum etp_drop d);
const char *etp_timer_name(enum etp_timer_id id);

#endif /* _ETP_CORE_NAMES_H */
