/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ETP_BENCH_MEDIAN_H
#define _ETP_BENCH_MEDIAN_H

/* Median of v[0..n-1], n > 0; sorts v in place. */
double median(double *v, int n);

#endif /* _ETP_BENCH_MEDIAN_H */
