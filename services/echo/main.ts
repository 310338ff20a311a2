/**
 * The echo service: registers "echo" and answers the Echo protocol. Bulk operations work on a
 * region whose handle comes with the request, without copying it: the bytes are read and
 * written where they lie.
 */

import { EINVAL } from "../../abi/errno.ts";
import { IpcError } from "../lib/errors.ts";
import type { Ipc } from "../lib/ipc.ts";
import { service } from "../lib/service.ts";
import { Echo } from "./protocol.ts";

/** Runs the echo service until it is stopped. */
async function main(ipc: Ipc): Promise<void> {
  const server = await ipc.register("echo");
  const regionOf = async (handles: number[]) => {
    if (handles.length !== 1) throw new IpcError(EINVAL, "expected one region handle");
    return await ipc.openRegion(handles[0]);
  };
  const range = (size: number, offset: number, length: number) => {
    if (offset + length > size) throw new IpcError(EINVAL, "range outside the region");
  };
  await Echo.serve(server, {
    echo: (data) => data,
    add: ({ a, b }) => (a + b) >>> 0,
    async checksum({ offset, length }, ctx) {
      const region = await regionOf(ctx.handles);
      try {
        range(region.size, offset, length);
        const bytes = region.read();
        let sum = 0;
        for (let i = offset; i < offset + length; i++) sum = (sum + bytes[i]) >>> 0;
        return sum;
      } finally {
        await ipc.close(region.handle);
      }
    },
    async fill({ offset, length, value }, ctx) {
      const region = await regionOf(ctx.handles);
      try {
        range(region.size, offset, length);
        region.write().fill(value, offset, offset + length);
      } finally {
        await ipc.close(region.handle);
      }
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    crash() {
      throw new Error("echo: asked to crash");
    },
  });
}

export default service(main, import.meta.main);
