/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ETP_TEST_ENV_H
#define _ETP_TEST_ENV_H

#include "stream.h"

extern long env_chunks;
extern long env_chunk_budget;

#endif
