/*
 * glue.h: helpers shared by the picolibc system-call glue in userland/lib:
 * turning raw Linux results into the C convention (errno + -1) with errno
 * values translated to picolibc's numbering.
 */
#ifndef GLUE_H
#define GLUE_H

#include "linux_syscall.h"

/* Sets errno from a Linux error number (positive, as the kernel means it). */
void glue_set_errno(long linux_errno);

/* Passes a successful raw result through; for -errno sets errno and gives -1. */
static inline long glue_result(long ret)
{
	if (linux_is_error(ret)) {
		glue_set_errno(-ret);
		return -1;
	}
	return ret;
}

#endif
