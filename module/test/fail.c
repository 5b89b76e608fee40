// SPDX-License-Identifier: GPL-2.0
/*
 * Failing a namespace's etp set-up on purpose, so that each error path of
 * etp_net_init() runs in a test: the real allocations fail only under
 * memory pressure, and kernel fault injection (failslab) is in none of
 * the test VM's kernels without noise of its own (vmalloc's warn_alloc
 * prints a call trace the VM runner counts as a splat).
 *
 *   echo 2 > /sys/module/etp/parameters/fail_net_init
 *
 * makes the next namespace set up fail at step 2 (enum etp_test_fail), as
 * if its allocation had returned NULL; the parameter is back to 0 once
 * that has happened.
 */
#include <linux/atomic.h>
#include <linux/moduleparam.h>

#include "test.h"

static unsigned int fail_net_init;
module_param(fail_net_init, uint, 0600);
MODULE_PARM_DESC(fail_net_init,
		 "test builds: the next netns set-up fails at this step (1 counters, 2 timer wheel, 3 connection table), once");

bool etp_test_fail_net_init(enum etp_test_fail step)
{
	return cmpxchg(&fail_net_init, step, 0) == step;
}
