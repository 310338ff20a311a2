/**
 * The rtc driver: reads the wall-clock time from the machine's real-time clock (goldfish-rtc
 * registers, machine/rtc.ts) and serves it as "rtc" (abi/rtc.ts). Reading TIME_LOW latches
 * TIME_HIGH, so the two reads give one consistent 64-bit time.
 */

import { EINVAL } from "../../../abi/errno.ts";
import { encodePayload } from "../../../abi/codec.ts";
import { RTC, RTC_ENDPOINT } from "../../../abi/rtc.ts";
import { RTC_REG } from "../../../abi/devices.ts";
import { Device } from "../../lib/device.ts";
import { IpcError } from "../../lib/errors.ts";
import type { Ipc } from "../../lib/ipc.ts";
import { service } from "../../lib/service.ts";

/** Runs the rtc driver. */
async function main(ipc: Ipc): Promise<void> {
  const name = typeof ipc.config.device === "string" ? ipc.config.device : "rtc0";
  const rtc = await Device.open(ipc, name);
  const server = await ipc.register(RTC_ENDPOINT);
  await server.serve(async (req) => {
    if (req.label !== RTC.time.label) throw new IpcError(EINVAL, `unknown operation ${req.label}`);
    const low = await rtc.read(RTC_REG.TIME_LOW);
    const high = await rtc.read(RTC_REG.TIME_HIGH);
    const ns = (BigInt(high) << 32n) | BigInt(low);
    return { label: 0, payload: encodePayload(RTC.time.reply, ns) };
  });
}

export default service(main, import.meta.main);
