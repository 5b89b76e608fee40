// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of module/core/params.c: the one parameter table must cover
 * every uapi parameter and every field of struct etp_params exactly once,
 * with a name, and a default inside its range.
 */
#include <string.h>

#include "kselftest_harness.h"
#include "params.h"

TEST(every_parameter_has_a_row)
{
	unsigned int a, b;

	for (a = 1; a <= ETP_PARAM_MAX; a++) {
		const struct etp_param_desc *d = &etp_param_descs[a];

		ASSERT_NE(NULL, d->name);
		EXPECT_LE(d->min, d->def);
		EXPECT_LE(d->def, d->max);
		EXPECT_EQ(0u, d->offset % (u32)sizeof(u32));
		EXPECT_LT(d->offset, (u32)sizeof(struct etp_params));
		for (b = 1; b < a; b++) {
			EXPECT_NE(etp_param_descs[b].offset, d->offset);
			EXPECT_NE(0, strcmp(etp_param_descs[b].name, d->name));
		}
	}
}

TEST(defaults_fill_every_field)
{
	struct etp_params p;
	unsigned int a;

	memset(&p, 0xa5, sizeof(p));
	etp_params_default(&p);
	for (a = 1; a <= ETP_PARAM_MAX; a++)
		EXPECT_EQ(etp_param_descs[a].def, *etp_param_field(&p, a));
	EXPECT_EQ(30000u, p.msl_ms);
	EXPECT_EQ(1460u, p.mss);
}

TEST_HARNESS_MAIN
