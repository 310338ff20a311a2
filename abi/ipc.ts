/**
 * The IPC wire format: one definition shared by the kernel, the TypeScript service library,
 * and (mirrored in userland/include/denix_ipc.h) RISC-V programs.
 *
 * A message is a fixed 256-byte record:
 *
 *   offset  size  field
 *        0     4  label      what the message means (a reply carries 0 or -errno here)
 *        4     2  length     payload bytes used, 0..MSG_PAYLOAD_MAX
 *        6     2  nhandles   handles carried, 0..MSG_HANDLES_MAX
 *        8     4  sender     the sending party's id: the receiving side sets it from the
 *                            channel the message came in on, never trusting the sender
 *       12     4  tag        a call's id; its reply carries the same tag (0: one-way send)
 *       16    16  handles    handle values, valid in the *sender's* table: the receiving side
 *                            has the kernel transfer them into its own table
 *       32   224  payload
 *
 * Bulk data never travels in a message: it goes in a shared region, and the message carries
 * the region's handle (and offsets in the payload).
 *
 * Rings: a single-producer single-consumer queue of message slots in a SharedArrayBuffer, its
 * indices on separate cache lines:
 *
 *   byte   0  head   (i32) next slot to read, free-running; written by the consumer
 *   byte  64  tail   (i32) next slot to write, free-running; written by the producer
 *   byte 128  state  (i32) RING_OPEN, RING_CLOSED, RING_PEER_DEAD; written by the kernel
 *   byte 192  slots  RING_SLOTS × MSG_SIZE bytes
 *
 * A channel is two rings in one buffer (requests, then replies) and belongs to one client and
 * one server of an endpoint; the endpoint's doorbell (one i32 in its own buffer) is bumped and
 * notified after every request, so a server sleeps on one word for all its channels.
 */

/** Size of a message record, in bytes. */
export const MSG_SIZE = 256;
/** Largest payload carried in a message, in bytes. */
export const MSG_PAYLOAD_MAX = 224;
/** Most handles carried by one message. */
export const MSG_HANDLES_MAX = 4;

/** Byte offsets of a message's fields. */
export const MSG = {
  LABEL: 0,
  LENGTH: 4,
  NHANDLES: 6,
  SENDER: 8,
  TAG: 12,
  HANDLES: 16,
  PAYLOAD: 32,
} as const;

/** Message slots in a ring (a power of two): the bound on queued messages per direction. */
export const RING_SLOTS = 64;
/** Byte offsets inside a ring. */
export const RING = {
  HEAD: 0,
  TAIL: 64,
  STATE: 128,
  SLOTS: 192,
} as const;
/** Bytes in one ring. */
export const RING_BYTES = RING.SLOTS + RING_SLOTS * MSG_SIZE;
/** Bytes in one channel: the request ring, then the reply ring. */
export const CHANNEL_BYTES = 2 * RING_BYTES;

/** Ring states. */
export const RING_OPEN = 0;
export const RING_CLOSED = 1;
export const RING_PEER_DEAD = 2;

/** Rights a handle may carry. */
export const RIGHT = {
  /** Call or send to an endpoint. */
  SEND: 1 << 0,
  /** Receive on (serve) an endpoint. */
  RECEIVE: 1 << 1,
  /** Read a region. */
  READ: 1 << 2,
  /** Write a region. */
  WRITE: 1 << 3,
  /** Pass the handle on (in a message or by derive). */
  GRANT: 1 << 4,
  /** Set bits of a notification. */
  SIGNAL: 1 << 5,
  /** Wait on a notification or a barrier. */
  WAIT: 1 << 6,
  /** Revoke a region (its creator's handle only). */
  REVOKE: 1 << 7,
} as const;

/** Longest endpoint name, in bytes. */
export const NAME_MAX = 64;
/** Most handles one party may hold. */
export const HANDLES_MAX = 256;
/** Largest region, in bytes. */
export const REGION_SIZE_MAX = 256 * 1024 * 1024;

/** The IPC system calls (denix's own range). */
export const IPC_SYSCALL = {
  register: 0x1000,
  lookup: 0x1001,
  call: 0x1002,
  send: 0x1003,
  receive: 0x1004,
  reply: 0x1005,
  close: 0x1006,
  derive: 0x1007,
  region_create: 0x1008,
  region_map: 0x1009,
  region_revoke: 0x100a,
  region_size: 0x100b,
  notification_create: 0x100c,
  notify: 0x100d,
  notification_wait: 0x100e,
  barrier_create: 0x100f,
  barrier_wait: 0x1010,
} as const;

/** ipc_send flag: fail with EAGAIN instead of waiting when the queue is full. */
export const SEND_NONBLOCK = 1;
/** Timeout value meaning "wait forever". */
export const TIMEOUT_INFINITE = -1;

/** A decoded message. */
export interface Message {
  label: number;
  sender: number;
  tag: number;
  handles: number[];
  payload: Uint8Array;
}

/** What a sender supplies (the transport fills in sender). */
export type OutgoingMessage = Omit<Message, "sender">;

/** Why a message was refused. */
export class MessageError extends Error {}

/** How a reader copies a payload out of its record (a ring slot is reused at once). */
export type PayloadCopy = (src: Uint8Array, start: number, length: number) => Uint8Array;

/** A copy in an ArrayBuffer of its own. */
export const sliceCopy: PayloadCopy = (src, start, length) => src.slice(start, start + length);

/** A record as read: a message, or a malformed one (only its label, sender and tag read). */
export interface MessageRecord extends Message {
  malformed: boolean;
}

const NO_HANDLES: readonly number[] = Object.freeze([]);

/**
 * Writes a record at byte `at` of `view` (whose buffer `bytes` also views, from the same
 * origin). The payload and handles must be within the limits.
 */
export function writeRecord(
  view: DataView,
  bytes: Uint8Array,
  at: number,
  label: number,
  tag: number,
  handles: readonly number[],
  payload: Uint8Array,
  sender: number,
): void {
  view.setInt32(at + MSG.LABEL, label, true);
  view.setUint16(at + MSG.LENGTH, payload.length, true);
  view.setUint16(at + MSG.NHANDLES, handles.length, true);
  view.setInt32(at + MSG.SENDER, sender, true);
  view.setUint32(at + MSG.TAG, tag, true);
  for (let i = 0; i < MSG_HANDLES_MAX; i++) {
    view.setInt32(at + MSG.HANDLES + 4 * i, i < handles.length ? handles[i] : 0, true);
  }
  if (payload.length > 0) bytes.set(payload, at + MSG.PAYLOAD);
}

/**
 * Reads the record at byte `at` of `view` (and `bytes`, as for writeRecord), validating it: a
 * length or handle count out of range makes it malformed.
 */
export function readRecord(
  view: DataView,
  bytes: Uint8Array,
  at: number,
  copy: PayloadCopy,
): MessageRecord {
  const length = view.getUint16(at + MSG.LENGTH, true);
  const nhandles = view.getUint16(at + MSG.NHANDLES, true);
  const malformed = length > MSG_PAYLOAD_MAX || nhandles > MSG_HANDLES_MAX;
  let handles = NO_HANDLES as number[];
  if (!malformed && nhandles > 0) {
    handles = [];
    for (let i = 0; i < nhandles; i++) handles.push(view.getInt32(at + MSG.HANDLES + 4 * i, true));
  }
  return {
    label: view.getInt32(at + MSG.LABEL, true),
    sender: view.getInt32(at + MSG.SENDER, true),
    tag: view.getUint32(at + MSG.TAG, true),
    handles,
    payload: copy(bytes, at + MSG.PAYLOAD, malformed ? 0 : length),
    malformed,
  };
}

/** Throws MessageError if `payload` or `handles` exceed what one message carries. */
export function checkLimits(payload: Uint8Array, handles: readonly number[]): void {
  if (payload.length > MSG_PAYLOAD_MAX) {
    throw new MessageError(`payload of ${payload.length} bytes exceeds ${MSG_PAYLOAD_MAX}`);
  }
  if (handles.length > MSG_HANDLES_MAX) {
    throw new MessageError(`${handles.length} handles exceed ${MSG_HANDLES_MAX}`);
  }
}

/** Writes `msg` into `dst` (MSG_SIZE bytes). */
export function encodeMessage(dst: Uint8Array, msg: Message): void {
  checkLimits(msg.payload, msg.handles);
  const view = new DataView(dst.buffer, dst.byteOffset, MSG_SIZE);
  writeRecord(view, dst, 0, msg.label, msg.tag, msg.handles, msg.payload, msg.sender);
}

/**
 * Reads and validates a message record; throws MessageError for a malformed one (length or
 * handle count out of range). The payload is a copy.
 */
export function decodeMessage(src: Uint8Array): Message {
  if (src.length < MSG_SIZE) {
    throw new MessageError(`record of ${src.length} bytes, need ${MSG_SIZE}`);
  }
  const record = readRecord(new DataView(src.buffer, src.byteOffset, MSG_SIZE), src, 0, sliceCopy);
  if (record.malformed) {
    throw new MessageError("malformed record: payload length or handle count out of range");
  }
  return record;
}

/**
 * The control protocol between a service and the kernel. A service is the client of a channel
 * whose server is the kernel; each request's label is one of these operations, its payload the
 * little-endian arguments listed; the reply's label is the result (>= 0) or -errno, and its
 * payload any extra results. Buffers (channels, doorbells, regions, notification and barrier
 * words) cannot travel in a ring: the kernel sends them by postMessage as an Attachment before
 * it replies, and the reply names what was attached.
 */
export const CTL = {
  /** name (UTF-8 payload) -> endpoint handle (SEND|RECEIVE|GRANT); attaches "endpoint". */
  REGISTER: 1,
  /** name (UTF-8 payload) -> endpoint handle (SEND). */
  LOOKUP: 2,
  /** u32 endpoint handle -> channel id; attaches "channel" (to the server: "accept"). */
  CONNECT: 3,
  /** u32 handle -> 0. */
  CLOSE: 4,
  /** u32 handle, u32 rights -> a new handle with at most those rights. */
  DERIVE: 5,
  /**
   * u32 channel id, u32 count, then count × i32 handles named in a message that came in on
   * that channel (valid in the peer's table) -> 0; reply payload: count × i32 handles, now
   * valid in the caller's table (each needs GRANT on the peer's side).
   */
  TRANSFER: 6,
  /** u32 size -> region handle (READ|WRITE|GRANT|REVOKE); attaches "region". */
  REGION_CREATE: 7,
  /** u32 region handle -> size; attaches "region". */
  REGION_OPEN: 8,
  /** u32 region handle -> 0: every other holder loses it. */
  REGION_REVOKE: 9,
  /** -> notification handle (SIGNAL|WAIT|GRANT); attaches "notification". */
  NOTIFICATION_CREATE: 10,
  /** u32 handle -> 0; attaches "notification". */
  NOTIFICATION_OPEN: 11,
  /** u32 parties -> barrier handle (WAIT|GRANT); attaches "barrier". */
  BARRIER_CREATE: 12,
  /** u32 handle -> parties; attaches "barrier". */
  BARRIER_OPEN: 13,
  /**
   * Devices (drivers only: a service may open the devices its deployment names). A driver
   * reaches its device's registers through these operations — the kernel performs the access
   * on the device model, as an I/O port instruction would — and its interrupt as a
   * notification; bulk data moves by DMA into regions the driver maps for the device.
   */
  /** name (UTF-8 payload) -> device handle. EPERM if the deployment does not give it. */
  DEVICE_OPEN: 14,
  /** u32 device, u32 offset, u32 width (1, 2, 4) -> the register's value (u32 in payload). */
  MMIO_READ: 15,
  /**
   * u32 device, u32 offset, u32 width, u32 value -> 0. May be sent one-way (tag 0): a posted
   * write, as on a real bus; the control ring keeps the order of a driver's accesses.
   */
  MMIO_WRITE: 16,
  /** u32 device, u32 offset, then bytes: each byte written to the register in turn (outsb). */
  MMIO_WRITE_BYTES: 17,
  /**
   * u32 device, u32 data offset, u32 status offset, u32 status mask, u32 max -> count; the
   * payload holds the bytes: reads the data register while (status & mask) != 0, at most max
   * times (a driver's "drain the FIFO" loop, done in one request).
   */
  MMIO_READ_BYTES: 18,
  /**
   * u32 device, u32 notification handle, u32 bits -> 0: the device's interrupt sets `bits` on
   * the notification. Each interrupt masks the line until IRQ_ACK (MINIX's sys_irqenable).
   */
  IRQ_BIND: 19,
  /** u32 device -> 0: the interrupt has been handled; the line is unmasked. May be one-way. */
  IRQ_ACK: 20,
  /**
   * u32 device, u32 region handle -> the region's bus address for that device's DMA. A device
   * reaches only the regions its driver mapped this way (an IOMMU), never the user bank.
   */
  DMA_MAP: 21,
  /** i32 process group (or -pid for one process), u32 signal -> 0 (privilege "signal"). */
  SIGNAL: 22,
  /**
   * u32 kind (SYSINFO), u32 region handle, u32 offset, u32 max, then kind-specific u32
   * arguments -> bytes written: the kernel's tables as text, written into the region
   * (privilege "sysinfo", procfs).
   */
  SYSINFO: 23,
  /** UTF-8 text -> 0: a line for the kernel's log (dmesg), prefixed with the service's name. */
  LOG: 24,
  /**
   * The process-spawn protocol (abi/process.ts; privilege "spawn"):
   * u32 notification handle -> the service's session id.
   */
  SESSION: 25,
  /**
   * u32 region handle, u32 offset, u32 length (a JobRequest, JSON) -> the job's process
   * group; reply payload: each process's pid (i32).
   */
  SPAWN: 26,
  /** -> 0 and a JobEvent (JOB_EVENT_BYTES) in the payload, or -EAGAIN when there is none. */
  JOB_EVENT: 27,
  /**
   * u32 pgid, u32 region handle, u32 offset, u32 max -> bytes of the job's captured output
   * moved into the region (0: none yet); reply payload u8: 1 once the output has ended.
   */
  CAPTURE_READ: 28,
  /** u32 status -> 0: ends the system (privilege "power"). */
  POWEROFF: 29,
  /**
   * The fault tool (privilege "supervise"): u32 op (SUPERVISE), then the service's name
   * (UTF-8) -> 0; ESRCH if it is not running (not supervised, for RESTART), EOPNOTSUPP if
   * its isolation cannot have that fault (an in-line service cannot hang alone).
   */
  SUPERVISE: 30,
} as const;

/** CTL.SUPERVISE operations. */
export const SUPERVISE = { KILL: 1, CRASH: 2, HANG: 3, RESTART: 4 } as const;

/** SYSINFO kinds. */
export const SYSINFO = {
  /**
   * One line per process: pid ppid pgid sid state threads nice hart rss cpu_ticks start_ticks
   * vm_pages name (rss and vm in pages, cpu and start in mtime ticks, start since boot).
   */
  PROCS: 1,
  /** One process in detail (arg: pid): key: value lines. */
  PROC: 2,
  /** argv of a process (arg: pid), NUL-separated. */
  CMDLINE: 3,
  /** Memory areas of a process (arg: pid), /proc/PID/maps format. */
  MAPS: 4,
  /** Open descriptors of a process (arg: pid): "fd target" lines. */
  FDS: 5,
  /** Memory totals, /proc/meminfo format. */
  MEMINFO: 6,
  /** Harts, /proc/cpuinfo format. */
  CPUINFO: 7,
  /** Uptime and idle seconds, /proc/uptime format. */
  UPTIME: 8,
  /** The service table: name state restarts uptime. */
  SERVICES: 9,
  /** Environment of a process (arg: pid), NUL-separated. */
  ENVIRON: 10,
  /** Time per hart and process counts, /proc/stat format (ticks of USER_HZ 100). */
  STAT: 11,
  /** Load averages, runnable/all threads, last pid: /proc/loadavg format. */
  LOADAVG: 12,
  /** The kernel log, /dev/kmsg records: "priority,seq,usec,-;text" lines. */
  KMSG: 13,
  /**
   * One of the system tables (arg: its index in SYSTEM_TABLES), as JSON:
   * {"columns": [names], "rows": [[numbers and strings]]}.
   */
  TABLE: 14,
} as const;

/** The system tables SYSINFO.TABLE serves (kernel/tables.ts), in index order. */
export const SYSTEM_TABLES = [
  "procs",
  "threads",
  "harts",
  "services",
  "endpoints",
  "connections",
  "files",
  "latency",
] as const;
export type SystemTableName = typeof SYSTEM_TABLES[number];

/** What the kernel sends a service by postMessage (set-up only). */
export type Attachment =
  | { type: "endpoint"; handle: number; doorbell: SharedArrayBuffer }
  | {
    type: "channel";
    channelId: number;
    endpoint: number;
    buffer: SharedArrayBuffer;
    doorbell: SharedArrayBuffer;
  }
  | {
    type: "accept";
    channelId: number;
    endpoint: number;
    client: number;
    buffer: SharedArrayBuffer;
    /**
     * For clients on the kernel's side (the kernel itself, processes): a word the server
     * rings after each reply it pushes, so the kernel watches one word for every reply.
     */
    replyDoorbell?: SharedArrayBuffer;
  }
  | {
    type: "region";
    handle: number;
    rights: number;
    buffer: SharedArrayBuffer;
    control: SharedArrayBuffer;
  }
  | { type: "notification"; handle: number; buffer: SharedArrayBuffer }
  | { type: "barrier"; handle: number; parties: number; buffer: SharedArrayBuffer };

/** Layout of a region's control buffer: one i32, non-zero once the region is revoked. */
export const REGION_REVOKED = 0;
/** Layout of a barrier's buffer: arrivals so far in this round, then the round number. */
export const BARRIER = { ARRIVED: 0, ROUND: 1 } as const;
