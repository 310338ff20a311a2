/*
 * time.h: picolibc's, completed with the POSIX clocks and sleeps the glue
 * (userland/lib/time.c) provides and picolibc's leaves out in this
 * configuration: CLOCK_MONOTONIC and the CPU-time clocks, clock_gettime,
 * nanosleep and clock_nanosleep.
 */
#include_next <time.h>

#ifndef DENIX_TIME_H
#define DENIX_TIME_H

/* Clocks (picolibc's numbering; it defines only CLOCK_REALTIME here). */
#ifndef CLOCK_PROCESS_CPUTIME_ID
#define CLOCK_PROCESS_CPUTIME_ID ((clockid_t)2)
#endif
#ifndef CLOCK_THREAD_CPUTIME_ID
#define CLOCK_THREAD_CPUTIME_ID ((clockid_t)3)
#endif
#ifndef CLOCK_MONOTONIC
#define CLOCK_MONOTONIC ((clockid_t)4)
#endif

int clock_gettime(clockid_t clock, struct timespec *tp);
int nanosleep(const struct timespec *request, struct timespec *remain);
/* Returns 0 or an error number; flags is 0 or TIMER_ABSTIME. */
int clock_nanosleep(clockid_t clock, int flags, const struct timespec *request,
		    struct timespec *remain);

#endif
