/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where module/core meets its environment. Core code is
 * compiled both into etp.ko and into userspace tests and benchmarks, so it
 * uses only the kernel's fixed-width type names and these few helpers, and
 * this header maps them onto whichever world is compiling it. Both worlds
 * provide static_assert().
 */
#ifndef _ETP_CORE_TYPES_H
#define _ETP_CORE_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/compiler.h>
#include <linux/build_bug.h>
#include <linux/kernel.h>
#else
#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* The kernel's names, on the LP64 ABI the tests and benchmarks use. */
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef int s32;
typedef long long s64;

static_assert(sizeof(u16) == 2 && sizeof(u32) == 4 && sizeof(u64) == 8,
	      "etp core needs exact-width integer types");

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#ifndef likely
#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#endif
#endif /* __KERNEL__ */

#endif /* _ETP_CORE_TYPES_H */
