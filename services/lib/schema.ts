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

import {
  type ByteCopy,
  type Codec,
  CodecError,
  decodePayload,
  encodePayload,
  type Operation,
  Reader as AbiReader,
  type Value,
  Writer as AbiWriter,
} from "../../abi/codec.ts";
import { EINVAL } from "../../abi/errno.ts";
import { MSG_PAYLOAD_MAX } from "../../abi/ipc.ts";
import { copyPayload, poolBytes } from "./channel.ts";
import { IpcError } from "./errors.ts";
import type { Client, Request, SendOptions, Server } from "./ipc.ts";

export {
  bytes,
  type Codec,
  empty,
  i32,
  i64,
  list,
  type Operation,
  string,
  struct,
  u16,
  u32,
  u64,
  u8,
  type Value,
} from "../../abi/codec.ts";

/** A payload that does not match its schema. */
export class SchemaError extends IpcError {
  constructor(detail: string) {
    super(EINVAL, detail);
  }
}

/**
 * Builds a payload in bytes taken from the library's payload pool (channel.ts): allocating an
 * ArrayBuffer per message would cost more than sending it.
 */
export class Writer extends AbiWriter {
  constructor() {
    super(poolBytes(MSG_PAYLOAD_MAX));
  }
}

/** Reads a payload; raw bytes are copied into the payload pool. */
export class Reader extends AbiReader {
  constructor(bytes: Uint8Array) {
    super(bytes, copyPayload as ByteCopy);
  }
}

/** Runs a codec step, turning a CodecError into the library's IpcError. */
function codec<T>(step: () => T): T {
  try {
    return step();
  } catch (e) {
    if (e instanceof CodecError) throw new IpcError(e.errno, e.message);
    throw e;
  }
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

function encode<T>(c: Codec<T>, value: T): Uint8Array {
  return codec(() => encodePayload(c, value, poolBytes(MSG_PAYLOAD_MAX)));
}

function decode<T>(c: Codec<T>, payload: Uint8Array): T {
  try {
    return decodePayload(c, payload, copyPayload);
  } catch (e) {
    if (e instanceof CodecError) throw new SchemaError(e.message);
    throw e;
  }
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
