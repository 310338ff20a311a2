/**
 * The IPC benchmarks' server: registers "bench.server" and answers with as little work as a
 * server can do, so the figures are the transport's. Labels (BENCH in bench_protocol.ts):
 * ECHO returns the payload; BULK opens the region passed as handle 0, reads the byte at the
 * u32 offset in the payload, closes it and returns that byte; MAP opens the region passed as
 * handle 0 and keeps it; MAPPED reads the byte at the u32 offset of the kept region.
 */

import { EINVAL } from "../../../abi/errno.ts";
import { IpcError } from "../../../services/lib/errors.ts";
import type { Ipc, Region } from "../../../services/lib/ipc.ts";
import { service } from "../../../services/lib/service.ts";
import { BENCH, BENCH_SERVER } from "./bench_protocol.ts";

/** Serves until stopped. */
async function main(ipc: Ipc): Promise<void> {
  const server = await ipc.register(BENCH_SERVER);
  let kept: Region | undefined;
  const byte = (region: Region, payload: Uint8Array) => {
    const offset = new DataView(payload.buffer, payload.byteOffset, 4).getUint32(0, true);
    return new Uint8Array([region.read()[offset]]);
  };
  await server.serve(async (req) => {
    switch (req.label) {
      case BENCH.ECHO:
        return { label: 0, payload: req.payload };
      case BENCH.BULK: {
        const region = await ipc.openRegion(req.handles[0]);
        const payload = byte(region, req.payload);
        await ipc.close(region.handle);
        return { label: 0, payload };
      }
      case BENCH.MAP:
        kept = await ipc.openRegion(req.handles[0]);
        return { label: 0 };
      case BENCH.MAPPED:
        if (!kept) throw new IpcError(EINVAL, "nothing mapped");
        return { label: 0, payload: byte(kept, req.payload) };
      default:
        throw new IpcError(EINVAL, `label ${req.label}`);
    }
  });
}

export default service(main, import.meta.main);
