/**
 * The echo service's protocol: a small service that exercises every part of IPC — inline
 * payloads, handles, shared regions, slow and failing operations — for the tests and the
 * benchmarks. RISC-V programs speak it too (userland/src/ipc_*.c): payload fields are
 * little-endian u32s, bytes are a u32 length then the bytes.
 */

import { bytes, defineProtocol, empty, struct, u32, u8 } from "../lib/schema.ts";
import { MSG_PAYLOAD_MAX } from "../../abi/ipc.ts";

/** The longest byte string echo takes (the payload less its length prefix). */
export const ECHO_BYTES_MAX = MSG_PAYLOAD_MAX - 4;

export const Echo = defineProtocol("echo", {
  /** Returns the bytes it was sent. */
  echo: { label: 1, request: bytes(ECHO_BYTES_MAX), reply: bytes(ECHO_BYTES_MAX) },
  /** Adds two numbers (mod 2^32). */
  add: { label: 2, request: struct({ a: u32, b: u32 }), reply: u32 },
  /** Sums (mod 2^32) the bytes [offset, offset + length) of the region passed as handle 0. */
  checksum: { label: 3, request: struct({ offset: u32, length: u32 }), reply: u32 },
  /** Fills [offset, offset + length) of the region passed as handle 0 with `value`. */
  fill: { label: 4, request: struct({ offset: u32, length: u32, value: u8 }), reply: empty },
  /** Answers after `ms` milliseconds. */
  sleep: { label: 5, request: u32, reply: empty },
  /** Makes the service fail (it dies). */
  crash: { label: 6, request: empty, reply: empty },
});
