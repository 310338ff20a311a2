/**
 * userland/include/denix_ipc.h mirrors abi/ipc.ts: this reads the header's
 * #defines, its struct denix_msg and its wrappers, and checks every value against the kernel's
 * (message size and field offsets, rights, call numbers, flags, limits, errno values), so the C
 * and TypeScript sides cannot drift apart. The C compiler checks, with _Static_assert, that the
 * struct matches the header's own offsets.
 */

import assert from "node:assert/strict";
import * as errno from "../../abi/errno.ts";
import {
  HANDLES_MAX,
  IPC_SYSCALL,
  MSG,
  MSG_HANDLES_MAX,
  MSG_PAYLOAD_MAX,
  MSG_SIZE,
  NAME_MAX,
  REGION_SIZE_MAX,
  RIGHT,
  RING_SLOTS,
  SEND_NONBLOCK,
  TIMEOUT_INFINITE,
} from "../../abi/ipc.ts";

const HEADER = Deno.readTextFileSync(
  new URL("../../userland/include/denix_ipc.h", import.meta.url),
);

/** The header's object-like #defines with a numeric value (decimal, hex, parenthesised). */
function defines(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^#define\s+(\w+)\s+(.+?)\s*$/gm)) {
    const value = Number(m[2].replace(/^\((.*)\)$/, "$1"));
    if (!Number.isNaN(value)) out.set(m[1], value);
  }
  return out;
}

const DEFINES = defines(HEADER);

function define(name: string): number {
  const value = DEFINES.get(name);
  assert.ok(value !== undefined, `denix_ipc.h has no #define ${name}`);
  return value;
}

/** Names the header defines with `prefix`, without it. */
function definedWith(prefix: string): string[] {
  return [...DEFINES.keys()].filter((n) => n.startsWith(prefix)).map((n) => n.slice(prefix.length));
}

const C_SIZES: Record<string, number> = {
  int8_t: 1,
  uint8_t: 1,
  int16_t: 2,
  uint16_t: 2,
  int32_t: 4,
  uint32_t: 4,
};

/** struct denix_msg's fields with their offsets and sizes, laid out as the ilp32 ABI does. */
function structLayout(text: string): { fields: Map<string, [number, number]>; size: number } {
  const body = text.match(/struct denix_msg \{([^}]*)\};/);
  assert.ok(body, "denix_ipc.h has no struct denix_msg");
  const fields = new Map<string, [number, number]>();
  let offset = 0;
  let align = 1;
  for (const m of body[1].matchAll(/^\s*(\w+)\s+(\w+)(?:\[(\w+)\])?;/gm)) {
    const [, type, name, count] = m;
    const unit = C_SIZES[type];
    assert.ok(unit, `unknown type ${type} in struct denix_msg`);
    const n = count === undefined ? 1 : /^\d+$/.test(count) ? Number(count) : define(count);
    offset = Math.ceil(offset / unit) * unit;
    fields.set(name, [offset, unit * n]);
    offset += unit * n;
    align = Math.max(align, unit);
  }
  return { fields, size: Math.ceil(offset / align) * align };
}

Deno.test("the message record: size, limits and field offsets match abi/ipc.ts", () => {
  assert.equal(define("DENIX_MSG_SIZE"), MSG_SIZE);
  assert.equal(define("DENIX_MSG_PAYLOAD_MAX"), MSG_PAYLOAD_MAX);
  assert.equal(define("DENIX_MSG_HANDLES_MAX"), MSG_HANDLES_MAX);
  for (const [field, offset] of Object.entries(MSG)) {
    assert.equal(define(`DENIX_MSG_${field}`), offset, `offset of ${field}`);
  }
  assert.match(HEADER, /_Static_assert\(sizeof\(struct denix_msg\) == DENIX_MSG_SIZE/);
});

Deno.test("struct denix_msg lays its fields out at abi/ipc.ts's offsets", () => {
  const { fields, size } = structLayout(HEADER);
  assert.equal(size, MSG_SIZE);
  assert.deepEqual([...fields.keys()], Object.keys(MSG).map((f) => f.toLowerCase()));
  for (const [field, offset] of Object.entries(MSG)) {
    const name = field.toLowerCase();
    assert.equal(fields.get(name)![0], offset, `struct offset of ${name}`);
    assert.match(
      HEADER,
      new RegExp(`_Static_assert\\(offsetof\\(struct denix_msg, ${name}\\) == DENIX_MSG_${field},`),
    );
  }
  const laidOut = [...fields.values()];
  laidOut.forEach(([offset, bytes], i) => {
    const next = laidOut[i + 1]?.[0] ?? MSG_SIZE;
    assert.equal(offset + bytes, next, `field at ${offset} fills its place (no padding)`);
  });
  assert.equal(fields.get("handles")![1], 4 * MSG_HANDLES_MAX);
  assert.equal(fields.get("payload")![1], MSG_PAYLOAD_MAX);
});

Deno.test("rights bits, flags and limits match abi/ipc.ts", () => {
  assert.deepEqual(definedWith("DENIX_RIGHT_").sort(), Object.keys(RIGHT).sort());
  for (const [right, bit] of Object.entries(RIGHT)) {
    assert.equal(define(`DENIX_RIGHT_${right}`), bit, `right ${right}`);
  }
  assert.equal(define("DENIX_SEND_NONBLOCK"), SEND_NONBLOCK);
  assert.equal(define("DENIX_TIMEOUT_INFINITE"), TIMEOUT_INFINITE);
  assert.equal(define("DENIX_RING_SLOTS"), RING_SLOTS);
  assert.equal(define("DENIX_NAME_MAX"), NAME_MAX);
  assert.equal(define("DENIX_HANDLES_MAX"), HANDLES_MAX);
  assert.equal(define("DENIX_REGION_SIZE_MAX"), REGION_SIZE_MAX);
});

/**
 * A call's name in C: the message and handle calls get an `ipc_` prefix (ipc_call), those of
 * regions, notifications and barriers are named by their object already (region_map, notify).
 */
function cName(call: string): string {
  return /^(region|notification|notify|barrier)/.test(call) ? call : `ipc_${call}`;
}

Deno.test("every IPC system call has its number and a wrapper that uses it", () => {
  const calls = Object.entries(IPC_SYSCALL).map(([call, nr]) => [cName(call), nr] as const);
  assert.deepEqual(definedWith("DENIX_SYS_").sort(), calls.map(([call]) => call).sort());
  for (const [call, nr] of calls) {
    assert.equal(define(`DENIX_SYS_${call}`), nr, `number of ${call}`);
    const wrapper = HEADER.match(
      new RegExp(`static inline long ${call}\\([^)]*\\)\\s*\\{([^}]*)\\}`),
    );
    assert.ok(wrapper, `no wrapper ${call}()`);
    assert.match(wrapper[1], new RegExp(`syscall\\d\\(DENIX_SYS_${call}\\b`), `${call} calls`);
  }
});

Deno.test("the errno values the header names are the kernel's", () => {
  const names = definedWith("LINUX_E");
  assert.ok(names.length > 0);
  const kernel = errno as unknown as Record<string, number>;
  for (const name of names) {
    assert.equal(define(`LINUX_E${name}`), kernel[`E${name}`], `E${name}`);
  }
});
