/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ETP_ISN_H
#define _ETP_ISN_H

#include <linux/types.h>

u32 etp_isn(__be32 saddr, __be32 daddr, __be16 sport, __be16 dport);

#endif /* _ETP_ISN_H */
