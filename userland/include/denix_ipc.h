/*
 * denix_ipc.h: denix's IPC system calls for RISC-V programs, mirroring
 * abi/ipc.ts (tests/userland/ipc_header_test.ts checks that every
 * value below equals the kernel's): the 256-byte message record, handle
 * rights, the call numbers from 0x1000, and one static inline wrapper per call.
 *
 * Every wrapper returns the raw result: >= 0 on success (a handle, a reply
 * token, a size, bits; region_map's address is the exception, see there),
 * -errno (Linux's values, LINUX_E* below) on failure; errno is not touched.
 * Handles belong to the process (its thread group) and are not inherited
 * across fork: a child gets one in a message. Timeouts are in milliseconds;
 * DENIX_TIMEOUT_INFINITE waits forever.
 */
#ifndef DENIX_IPC_H
#define DENIX_IPC_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "linux_syscall.h"

/* The message record (abi/ipc.ts: MSG_SIZE, MSG_PAYLOAD_MAX, MSG_HANDLES_MAX, MSG). */
#define DENIX_MSG_SIZE 256
#define DENIX_MSG_PAYLOAD_MAX 224
#define DENIX_MSG_HANDLES_MAX 4
#define DENIX_MSG_LABEL 0
#define DENIX_MSG_LENGTH 4
#define DENIX_MSG_NHANDLES 6
#define DENIX_MSG_SENDER 8
#define DENIX_MSG_TAG 12
#define DENIX_MSG_HANDLES 16
#define DENIX_MSG_PAYLOAD 32

/*
 * label: what a request means; a reply carries 0 or -errno. sender: set by
 * the kernel from the channel (never trusted from the sender). tag: a call's
 * id (the kernel sets it). handles: values in the sender's table, moved into
 * the receiver's on delivery (each needs DENIX_RIGHT_GRANT). Payload fields of
 * the echo protocol are little-endian u32s.
 */
struct denix_msg {
	int32_t label;
	uint16_t length;
	uint16_t nhandles;
	int32_t sender;
	uint32_t tag;
	int32_t handles[DENIX_MSG_HANDLES_MAX];
	uint8_t payload[DENIX_MSG_PAYLOAD_MAX];
};

_Static_assert(sizeof(struct denix_msg) == DENIX_MSG_SIZE, "a message is 256 bytes");
_Static_assert(offsetof(struct denix_msg, label) == DENIX_MSG_LABEL, "label offset");
_Static_assert(offsetof(struct denix_msg, length) == DENIX_MSG_LENGTH, "length offset");
_Static_assert(offsetof(struct denix_msg, nhandles) == DENIX_MSG_NHANDLES, "nhandles offset");
_Static_assert(offsetof(struct denix_msg, sender) == DENIX_MSG_SENDER, "sender offset");
_Static_assert(offsetof(struct denix_msg, tag) == DENIX_MSG_TAG, "tag offset");
_Static_assert(offsetof(struct denix_msg, handles) == DENIX_MSG_HANDLES, "handles offset");
_Static_assert(offsetof(struct denix_msg, payload) == DENIX_MSG_PAYLOAD, "payload offset");

/* Messages queued per direction of a connection (abi/ipc.ts: RING_SLOTS). */
#define DENIX_RING_SLOTS 64
/* Longest endpoint name in bytes, most handles per process, largest region. */
#define DENIX_NAME_MAX 64
#define DENIX_HANDLES_MAX 256
#define DENIX_REGION_SIZE_MAX 268435456

/* Rights a handle may carry (abi/ipc.ts: RIGHT). */
#define DENIX_RIGHT_SEND 0x01
#define DENIX_RIGHT_RECEIVE 0x02
#define DENIX_RIGHT_READ 0x04
#define DENIX_RIGHT_WRITE 0x08
#define DENIX_RIGHT_GRANT 0x10
#define DENIX_RIGHT_SIGNAL 0x20
#define DENIX_RIGHT_WAIT 0x40
#define DENIX_RIGHT_REVOKE 0x80

/* ipc_send flag: -EAGAIN instead of waiting when the queue is full. */
#define DENIX_SEND_NONBLOCK 1
/* A timeout that never expires. */
#define DENIX_TIMEOUT_INFINITE (-1)

/* The call numbers (abi/ipc.ts: IPC_SYSCALL), clear of Linux's range. */
#define DENIX_SYS_ipc_register 0x1000
#define DENIX_SYS_ipc_lookup 0x1001
#define DENIX_SYS_ipc_call 0x1002
#define DENIX_SYS_ipc_send 0x1003
#define DENIX_SYS_ipc_receive 0x1004
#define DENIX_SYS_ipc_reply 0x1005
#define DENIX_SYS_ipc_close 0x1006
#define DENIX_SYS_ipc_derive 0x1007
#define DENIX_SYS_region_create 0x1008
#define DENIX_SYS_region_map 0x1009
#define DENIX_SYS_region_revoke 0x100a
#define DENIX_SYS_region_size 0x100b
#define DENIX_SYS_notification_create 0x100c
#define DENIX_SYS_notify 0x100d
#define DENIX_SYS_notification_wait 0x100e
#define DENIX_SYS_barrier_create 0x100f
#define DENIX_SYS_barrier_wait 0x1010

/* The Linux errno values the IPC calls return, negated (abi/errno.ts). */
#define LINUX_EPERM 1
#define LINUX_ENOENT 2
#define LINUX_EBADF 9
#define LINUX_EAGAIN 11
#define LINUX_ENOMEM 12
#define LINUX_EFAULT 14
#define LINUX_EEXIST 17
#define LINUX_EINVAL 22
#define LINUX_EMFILE 24
#define LINUX_ECONNRESET 104
#define LINUX_ENOTCONN 107
#define LINUX_ETIMEDOUT 110

/* Serves `name`: a handle with SEND|RECEIVE|GRANT; -EEXIST if a live process or service has it. */
static inline long ipc_register(const char *name)
{
	return syscall2(DENIX_SYS_ipc_register, (long)name, (long)strlen(name));
}

/* A handle (SEND) to the endpoint `name`; -ENOENT if it was never registered. */
static inline long ipc_lookup(const char *name)
{
	return syscall2(DENIX_SYS_ipc_lookup, (long)name, (long)strlen(name));
}

/*
 * Sends `msg` to the endpoint behind `handle` and waits for the reply, written
 * to `reply` (its label is the server's status): 0, or -ETIMEDOUT, -ECONNRESET
 * (the server died), -ENOTCONN (nobody serves the name).
 */
static inline long ipc_call(long handle, const struct denix_msg *msg, struct denix_msg *reply,
			    long timeout_ms)
{
	return syscall4(DENIX_SYS_ipc_call, handle, (long)msg, (long)reply, timeout_ms);
}

/* Queues a one-way message; waits while the queue is full unless DENIX_SEND_NONBLOCK. */
static inline long ipc_send(long handle, const struct denix_msg *msg, unsigned long flags)
{
	return syscall3(DENIX_SYS_ipc_send, handle, (long)msg, (long)flags);
}

/*
 * The next request to the endpoint this process serves (`handle` from
 * ipc_register), into `msg`: returns a reply token (> 0) for a call, 0 for a
 * one-way message.
 */
static inline long ipc_receive(long handle, struct denix_msg *msg, long timeout_ms)
{
	return syscall3(DENIX_SYS_ipc_receive, handle, (long)msg, timeout_ms);
}

/* Answers the call behind `token`; -ECONNRESET if the caller went away. */
static inline long ipc_reply(long token, const struct denix_msg *msg)
{
	return syscall2(DENIX_SYS_ipc_reply, token, (long)msg);
}

static inline long ipc_close(long handle)
{
	return syscall1(DENIX_SYS_ipc_close, handle);
}

/* A new handle to the same object with at most `rights` (never more than `handle` has). */
static inline long ipc_derive(long handle, unsigned long rights)
{
	return syscall2(DENIX_SYS_ipc_derive, handle, (long)rights);
}

/* A new shared region of `size` bytes (pages): READ|WRITE|GRANT|REVOKE. */
static inline long region_create(unsigned long size)
{
	return syscall1(DENIX_SYS_region_create, (long)size);
}

/*
 * Maps the whole region; `prot` is LINUX_PROT_READ, optionally with
 * LINUX_PROT_WRITE (which needs DENIX_RIGHT_WRITE). Returns its address, which
 * is usually above 2 GiB and so negative as a long: test the result with
 * linux_is_error(), as for mmap.
 */
static inline long region_map(long handle, unsigned long prot)
{
	return syscall2(DENIX_SYS_region_map, handle, (long)prot);
}

/* Every holder, the caller included, loses the region: handles and mappings (REVOKE). */
static inline long region_revoke(long handle)
{
	return syscall1(DENIX_SYS_region_revoke, handle);
}

static inline long region_size(long handle)
{
	return syscall1(DENIX_SYS_region_size, handle);
}

/* A new notification word: SIGNAL|WAIT|GRANT. */
static inline long notification_create(void)
{
	return syscall0(DENIX_SYS_notification_create);
}

/* Sets `bits`; they accumulate until a waiter takes them (SIGNAL). */
static inline long notify(long handle, unsigned long bits)
{
	return syscall2(DENIX_SYS_notify, handle, (long)bits);
}

/* Takes (and clears) the bits set so far, waiting for some (WAIT); -ETIMEDOUT. */
static inline long notification_wait(long handle, long timeout_ms)
{
	return syscall2(DENIX_SYS_notification_wait, handle, timeout_ms);
}

/* A new barrier for `parties` parties (1..1024): WAIT|GRANT. */
static inline long barrier_create(unsigned long parties)
{
	return syscall1(DENIX_SYS_barrier_create, (long)parties);
}

/* Waits for the round to complete: 1 to the arrival that completed it, 0 to the others. */
static inline long barrier_wait(long handle, long timeout_ms)
{
	return syscall2(DENIX_SYS_barrier_wait, handle, timeout_ms);
}

#endif
