/*
 * ipc_notify.c: notifications between processes. The parent creates one and
 * hands it to each child in a reply on "rvnotify" (handles are not inherited
 * across fork). A child sets bits 1, 2 and 4 in three notify calls and exits
 * before the parent waits: the parent's one wait returns 7 (the bits
 * coalesce) and takes them, so a wait with a short timeout then returns
 * -ETIMEDOUT. A child blocked in notification_wait is woken by the parent's
 * notify and gets its bits. A handle derived without SIGNAL cannot notify.
 * Prints the checks, then `ok`; exits 0 only if all passed.
 */
#include <stdio.h>
#include <unistd.h>

#include "ipc_check.h"

#define WAKE_BITS 0x100

static void __attribute__((noreturn)) signaller(void)
{
	long n = fetch_handle("rvnotify", 0);

	CHECK(notify(n, 1) == 0);
	CHECK(notify(n, 2) == 0);
	CHECK(notify(n, 4) == 0);
	_exit(0);
}

static void __attribute__((noreturn)) waiter(void)
{
	long n = fetch_handle("rvnotify", 0);

	CHECK(notification_wait(n, DENIX_TIMEOUT_INFINITE) == WAKE_BITS);
	_exit(0);
}

int main(void)
{
	long endpoint = ipc_register("rvnotify");
	long n = notification_create();

	CHECK(endpoint > 0);
	CHECK(n > 0);
	pid_t pid = fork_or_fail();

	if (pid == 0)
		signaller();
	hand_out(endpoint, n);
	CHECK(exited_with(wait_for(pid), 0));
	long bits = notification_wait(n, DENIX_TIMEOUT_INFINITE);

	printf("notify 1, 2, 4 before the wait: one wait returned %ld\n", bits);
	CHECK(bits == 7);
	CHECK(notification_wait(n, 20) == -LINUX_ETIMEDOUT);
	printf("the bits were taken: a 20 ms wait returned -ETIMEDOUT (%d)\n", LINUX_ETIMEDOUT);

	pid = fork_or_fail();
	if (pid == 0)
		waiter();
	hand_out(endpoint, n);
	usleep(20000);
	CHECK(notify(n, WAKE_BITS) == 0);
	CHECK(exited_with(wait_for(pid), 0));
	printf("a child blocked in notification_wait was woken by notify with its bits\n");

	long wait_only = ipc_derive(n, DENIX_RIGHT_WAIT);

	CHECK(wait_only > 0);
	CHECK(notify(wait_only, 1) == -LINUX_EPERM);
	CHECK(notification_wait(wait_only, 0) == -LINUX_ETIMEDOUT);
	printf("a handle without SIGNAL: notify is -EPERM (%d)\n", LINUX_EPERM);
	printf("ok\n");
	return 0;
}
