// SPDX-License-Identifier: GPL-2.0
/*
 * What module/core asks of its environment, for the userspace tests: queue
 * chunks from malloc, counted so a test can check that every chunk comes
 * back, and refusable on demand to test running out of memory.
 */
#include <stdlib.h>

#include "env.h"

long env_chunks;		/* chunks out now */
long env_chunk_budget = -1;	/* chunks still allowed; -1: any */

void *etp_chunk_alloc(void *owner)
{
	void *c;

	if (env_chunk_budget == 0)
		return NULL;
	c = malloc(ETP_CHUNK_SIZE);
	if (c) {
		env_chunks++;
		if (env_chunk_budget > 0)
			env_chunk_budget--;
	}
	return c;
}

void etp_chunk_free(void *owner, void *chunk)
{
	env_chunks--;
	free(chunk);
}
