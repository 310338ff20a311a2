/**
 * Typed service protocols: each operation's request and reply are described by codecs, and
 * every message is checked against them on receipt — a malformed request is answered -EINVAL
 * and never reaches the handler; a malformed reply fails the call.
 *
 *     const Echo = defineProtocol("echo", {
 *       add: { label: 2, request: struct({ a: u32, b: u32 }), reply: u32 },
 *     });
 *     Echo.serve(server, { add: ({ a, b }) => a + b });
 *     const sum = await Echo.client(await ipc.lookup("echo")).add({ a: 1, b: 2 });
 */

import { EINVAL, EMSGSIZE } from "../../abi/errno.ts";
import { MSG_PAYLOAD_MAX } from "../../abi/ipc.ts";
import { copyPayload, poolBytes } from "./channel.ts";
import { IpcError } from "./errors.ts";
import type { Client, Request, SendOptions, Server } from "./ipc.ts";

/** A payload that does not match its schema. */
export class SchemaError extends IpcError {
  constructor(detail: string) {
    super(EINVAL, detail);
  }
}

/**
 * Builds a payload, in bytes taken from the library's payload pool (channel.ts): allocating
 * an ArrayBuffer per message would cost more than sending it.
 */
export class Writer {
  private readonly buf = poolBytes(MSG_PAYLOAD_MAX);
  private readonly dv = new DataView(this.buf.buffer, this.buf.byteOffset, MSG_PAYLOAD_MAX);
  private at = 0;

  private room(n: number): number {
    if (this.at + n > MSG_PAYLOAD_MAX) throw new IpcError(EMSGSIZE, "payload too large");
    const at = this.at;
    this.at += n;
    return at;
  }

  u8(v: number): void {
    this.dv.setUint8(this.room(1), v);
  }
  u32(v: number): void {
    this.dv.setUint32(this.room(4), v >>> 0, true);
  }
  i32(v: number): void {
    this.dv.setInt32(this.room(4), v | 0, true);
  }
  raw(b: Uint8Array): void {
    this.buf.set(b, this.room(b.length));
  }

  /** The payload written (a view: the Writer must not be used after). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.at);
  }
}

/** Reads a payload, refusing anything short or left over. */
export class Reader {
  private readonly dv: DataView;
  private at = 0;

  constructor(private readonly bytes: Uint8Array) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private take(n: number): number {
    if (this.at + n > this.bytes.length) throw new SchemaError("payload too short");
    const at = this.at;
    this.at += n;
    return at;
  }

  u8(): number {
    return this.dv.getUint8(this.take(1));
  }
  u32(): number {
    return this.dv.getUint32(this.take(4), true);
  }
  i32(): number {
    return this.dv.getInt32(this.take(4), true);
  }
  /** `n` bytes, copied (into the payload pool). */
  raw(n: number): Uint8Array {
    return copyPayload(this.bytes, this.take(n), n);
  }

  /** Fails if bytes are left over. */
  end(): void {
    if (this.at !== this.bytes.length) throw new SchemaError("trailing bytes in payload");
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
export const u32: Codec<number> = { encode: (v, w) => w.u32(v), decode: (r) => r.u32() };
export const i32: Codec<number> = { encode: (v, w) => w.i32(v), decode: (r) => r.i32() };
export const empty: Codec<void> = { encode: () => {}, decode: () => {} };

/** Up to `max` bytes, length-prefixed. */
export function bytes(max: number): Codec<Uint8Array> {
  return {
    encode(v, w) {
      if (v.length > max) throw new IpcError(EMSGSIZE, `${v.length} bytes, at most ${max}`);
      w.u32(v.length);
      w.raw(v);
    },
    decode(r) {
      const n = r.u32();
      if (n > max) throw new SchemaError(`${n} bytes, at most ${max}`);
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
      try {
        return new TextDecoder("utf-8", { fatal: true }).decode(b.decode(r));
      } catch (e) {
        if (e instanceof SchemaError) throw e;
        throw new SchemaError("string is not UTF-8");
      }
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

/** One operation: its label, and what its request and reply carry. */
export interface Operation<Req, Rep> {
  label: number;
  request: Codec<Req>;
  reply: Codec<Rep>;
}

/** Operations of a protocol (request and reply types vary per operation). */
// deno-lint-ignore no-explicit-any
type Ops = Record<string, Operation<any, any>>;

/** What a handler sees besides the request. */
export interface Context {
  sender: number;
  /** Handles that came with the request (now this service's). */
  handles: number[];
  /** Handles to send back with the reply. */
  replyHandles: number[];
}

/** A typed client: one method per operation. */
export type TypedClient<O extends Ops> = {
  [K in keyof O]: (
    request: Value<O[K]["request"]>,
    options?: SendOptions,
  ) => Promise<Value<O[K]["reply"]>>;
};

/** Handlers for every operation. */
export type Handlers<O extends Ops> = {
  [K in keyof O]: (
    request: Value<O[K]["request"]>,
    context: Context,
  ) => Value<O[K]["reply"]> | Promise<Value<O[K]["reply"]>>;
};

/** A service protocol. */
export interface Protocol<O extends Ops> {
  readonly name: string;
  readonly ops: O;
  client(connection: Client): TypedClient<O>;
  serve(server: Server, handlers: Handlers<O>): Promise<void>;
}

function encode<T>(codec: Codec<T>, value: T): Uint8Array {
  const w = new Writer();
  codec.encode(value, w);
  return w.finish();
}

function decode<T>(codec: Codec<T>, payload: Uint8Array): T {
  const r = new Reader(payload);
  const v = codec.decode(r);
  r.end();
  return v;
}

/** Defines a protocol; labels must be distinct. */
export function defineProtocol<O extends Ops>(name: string, ops: O): Protocol<O> {
  const byLabel = new Map<number, [string, Operation<unknown, unknown>]>();
  for (const [op, def] of Object.entries(ops)) {
    if (byLabel.has(def.label)) throw new Error(`${name}: label ${def.label} used twice`);
    byLabel.set(def.label, [op, def]);
  }
  return {
    name,
    ops,
    client(connection) {
      const methods: Record<string, unknown> = {};
      for (const [op, def] of Object.entries(ops)) {
        methods[op] = async (request: unknown, options?: SendOptions) => {
          const reply = await connection.call(def.label, encode(def.request, request), options);
          if (reply.label < 0) throw new IpcError(reply.label, `${name}.${op}`);
          try {
            return decode(def.reply, reply.payload);
          } catch (e) {
            if (e instanceof SchemaError) throw new SchemaError(`${name}.${op}: malformed reply`);
            throw e;
          }
        };
      }
      return methods as TypedClient<O>;
    },
    serve(server, handlers) {
      return server.serve(async (req: Request) => {
        const found = byLabel.get(req.label);
        if (!found) throw new SchemaError(`${name}: unknown label ${req.label}`);
        const [op, def] = found;
        const request = decode(def.request, req.payload);
        const context: Context = { sender: req.sender, handles: req.handles, replyHandles: [] };
        const handler = handlers[op] as (r: unknown, c: Context) => unknown;
        const result = await handler(request, context);
        return { label: 0, payload: encode(def.reply, result), handles: context.replyHandles };
      });
    },
  };
}
