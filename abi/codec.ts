/**
 * Payload codecs: how typed values travel in a message's payload (little-endian, fixed order,
 * length-prefixed strings and byte strings). One codec layer for every protocol, used by the
 * kernel (which cannot import the service library) and by services (services/lib/schema.ts
 * builds typed clients and servers on it). Decoding checks everything: a payload that is
 * short, too long, or carries an out-of-range length is a CodecError (EINVAL), never a wrong
 * value.
 */

import { EINVAL, EMSGSIZE } from "./errno.ts";
import { MSG_PAYLOAD_MAX } from "./ipc.ts";

/** A payload that does not match its codec (errno EINVAL), or a value too large (EMSGSIZE). */
export class CodecError extends Error {
  constructor(readonly errno: number, detail: string) {
    super(detail);
  }
}

/** Builds a payload in a caller-supplied buffer (MSG_PAYLOAD_MAX bytes by default). */
export class Writer {
  private readonly dv: DataView;
  private at = 0;

  constructor(private readonly buf: Uint8Array = new Uint8Array(MSG_PAYLOAD_MAX)) {
    this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  private room(n: number): number {
    if (this.at + n > this.buf.length) throw new CodecError(EMSGSIZE, "payload too large");
    const at = this.at;
    this.at += n;
    return at;
  }

  u8(v: number): void {
    this.dv.setUint8(this.room(1), v);
  }
  u16(v: number): void {
    this.dv.setUint16(this.room(2), v, true);
  }
  u32(v: number): void {
    this.dv.setUint32(this.room(4), v >>> 0, true);
  }
  i32(v: number): void {
    this.dv.setInt32(this.room(4), v | 0, true);
  }
  /** An unsigned 64-bit integer given as a number (exact up to 2^53). */
  u64(v: number): void {
    const at = this.room(8);
    this.dv.setUint32(at, v % 2 ** 32, true);
    this.dv.setUint32(at + 4, Math.floor(v / 2 ** 32), true);
  }
  i64(v: bigint): void {
    this.dv.setBigInt64(this.room(8), v, true);
  }
  raw(b: Uint8Array): void {
    this.buf.set(b, this.room(b.length));
  }

  /** The payload written (a view of the buffer). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.at);
  }
}

/** How a Reader copies bytes out (the payload may live in a ring slot about to be reused). */
export type ByteCopy = (src: Uint8Array, start: number, length: number) => Uint8Array;

/** Reads a payload, refusing anything short or left over. */
export class Reader {
  private readonly dv: DataView;
  private at = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly copy: ByteCopy = (src, start, n) => src.slice(start, start + n),
  ) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private take(n: number): number {
    if (this.at + n > this.bytes.length) throw new CodecError(EINVAL, "payload too short");
    const at = this.at;
    this.at += n;
    return at;
  }

  u8(): number {
    return this.dv.getUint8(this.take(1));
  }
  u16(): number {
    return this.dv.getUint16(this.take(2), true);
  }
  u32(): number {
    return this.dv.getUint32(this.take(4), true);
  }
  i32(): number {
    return this.dv.getInt32(this.take(4), true);
  }
  /** An unsigned 64-bit integer; one of 2^53 or more is refused. */
  u64(): number {
    const at = this.take(8);
    const high = this.dv.getUint32(at + 4, true);
    if (high >= 2 ** 21) throw new CodecError(EINVAL, "64-bit value out of range");
    return high * 2 ** 32 + this.dv.getUint32(at, true);
  }
  i64(): bigint {
    return this.dv.getBigInt64(this.take(8), true);
  }
  /** `n` bytes, copied. */
  raw(n: number): Uint8Array {
    return this.copy(this.bytes, this.take(n), n);
  }
  /** Bytes left to read. */
  get left(): number {
    return this.bytes.length - this.at;
  }

  /** Fails if bytes are left over. */
  end(): void {
    if (this.at !== this.bytes.length) throw new CodecError(EINVAL, "trailing bytes in payload");
  }
}

/** How a value travels in a payload. */
export interface Codec<T> {
  encode(value: T, w: Writer): void;
  decode(r: Reader): T;
}

/** The value type a codec carries. */
export type Value<C> = C extends Codec<infer T> ? T : never;

export const u8: Codec<number> = { encode: (v, w) => w.u8(v), decode: (r) => r.u8() };
export const u16: Codec<number> = { encode: (v, w) => w.u16(v), decode: (r) => r.u16() };
export const u32: Codec<number> = { encode: (v, w) => w.u32(v), decode: (r) => r.u32() };
export const i32: Codec<number> = { encode: (v, w) => w.i32(v), decode: (r) => r.i32() };
export const u64: Codec<number> = { encode: (v, w) => w.u64(v), decode: (r) => r.u64() };
export const i64: Codec<bigint> = { encode: (v, w) => w.i64(v), decode: (r) => r.i64() };
export const empty: Codec<void> = { encode: () => {}, decode: () => {} };

/** Up to `max` bytes, length-prefixed (u32). */
export function bytes(max: number): Codec<Uint8Array> {
  return {
    encode(v, w) {
      if (v.length > max) throw new CodecError(EMSGSIZE, `${v.length} bytes, at most ${max}`);
      w.u32(v.length);
      w.raw(v);
    },
    decode(r) {
      const n = r.u32();
      if (n > max) throw new CodecError(EINVAL, `${n} bytes, at most ${max}`);
      return r.raw(n);
    },
  };
}

/** A UTF-8 string of at most `max` bytes. */
export function string(max: number): Codec<string> {
  const b = bytes(max);
  return {
    encode: (v, w) => b.encode(new TextEncoder().encode(v), w),
    decode(r) {
      const raw = b.decode(r);
      try {
        return new TextDecoder("utf-8", { fatal: true }).decode(raw);
      } catch {
        throw new CodecError(EINVAL, "string is not UTF-8");
      }
    },
  };
}

/** Up to `max` values, count-prefixed (u16). */
export function list<T>(item: Codec<T>, max: number): Codec<T[]> {
  return {
    encode(v, w) {
      if (v.length > max) throw new CodecError(EMSGSIZE, `${v.length} items, at most ${max}`);
      w.u16(v.length);
      for (const x of v) item.encode(x, w);
    },
    decode(r) {
      const n = r.u16();
      if (n > max) throw new CodecError(EINVAL, `${n} items, at most ${max}`);
      const out: T[] = [];
      for (let i = 0; i < n; i++) out.push(item.decode(r));
      return out;
    },
  };
}

/** Fields in a fixed order. */
export function struct<F extends Record<string, Codec<unknown>>>(
  fields: F,
): Codec<{ [K in keyof F]: Value<F[K]> }> {
  const entries = Object.entries(fields);
  return {
    encode(v, w) {
      for (const [k, c] of entries) c.encode((v as Record<string, unknown>)[k], w);
    },
    decode(r) {
      const out: Record<string, unknown> = {};
      for (const [k, c] of entries) out[k] = c.decode(r);
      return out as { [K in keyof F]: Value<F[K]> };
    },
  };
}

/** One operation of a protocol: its label, and what its request and reply carry. */
export interface Operation<Req, Rep> {
  label: number;
  request: Codec<Req>;
  reply: Codec<Rep>;
}

/** Encodes `value` with `codec` into `into` (a fresh payload buffer by default). */
export function encodePayload<T>(codec: Codec<T>, value: T, into?: Uint8Array): Uint8Array {
  const w = new Writer(into);
  codec.encode(value, w);
  return w.finish();
}

/** Decodes a whole payload with `codec` (CodecError if it does not match exactly). */
export function decodePayload<T>(codec: Codec<T>, payload: Uint8Array, copy?: ByteCopy): T {
  const r = new Reader(payload, copy);
  const v = codec.decode(r);
  r.end();
  return v;
}
