/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where module/core meets its environment. Core code is
 * compiled both into etp.ko and into userspace tests and benchmarks, so it
 * uses only the kernel's fixed-width type names and these few helpers, and
 * this header maps them onto whichever world is compiling it.
 */
#ifndef _ETP_CORE_TYPES_H
#define _ETP_CORE_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/compiler.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef int64_t s64;

#ifndef likely
#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#endif
#endif /* __KERNEL__ */

#endif /* _ETP_CORE_TYPES_H */
