/*
 * memory.c: sbrk for picolibc's malloc, on the Linux brk call. brk(0) reports
 * the current break; brk(n) returns the new break, or the old one when the
 * kernel refuses to move it.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include "glue.h"

static uintptr_t current_break;

void *sbrk(ptrdiff_t increment)
{
	if (current_break == 0)
		current_break = (uintptr_t)syscall1(SYS_brk, 0);

	uintptr_t old_break = current_break;
	uintptr_t new_break = old_break + (uintptr_t)increment;

	if ((increment > 0 && new_break < old_break) || (increment < 0 && new_break > old_break)) {
		errno = ENOMEM;
		return (void *)-1;
	}
	if (increment != 0) {
		if ((uintptr_t)syscall1(SYS_brk, (long)new_break) != new_break) {
			errno = ENOMEM;
			return (void *)-1;
		}
		current_break = new_break;
	}
	return (void *)old_break;
}
