/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the selftests' C helpers share: the Internet checksum over etp's
 * pseudo-header (tools/lib/csum.h), and a small fast random generator.
 * Static functions in a header: each helper is one file and a few shared
 * sources, built by one compiler call (selftests/Makefile).
 */
#ifndef ETP_SELFTEST_HELPERS_H
#define ETP_SELFTEST_HELPERS_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/etp.h>

#include "csum.h"	/* tools/lib: sum16(), fold(), etp_csum() */

/* xorshift64: seed rng (not 0) before the first call. */
static uint64_t rng __attribute__((unused));

static inline uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng >> 32;
}

static inline uint32_t below(uint32_t n)
{
	return n ? rnd() % n : 0;
}

static inline bool chance(unsigned int percent)
{
	return below(100) < percent;
}

#endif
