/**
 * The postMessage baseline of the IPC benchmarks: a plain worker (no IPC library), given one
 * end of a MessageChannel to another such worker. The "echo" peer answers every message; the
 * "measure" peer runs each job it is given against it and posts the figures back to its parent.
 * Latency and throughput send an 8-byte Uint8Array (structured clone) and get it back; bulk
 * sends an ArrayBuffer of `size` bytes, cloned or transferred, and the echo peer answers with
 * the buffer's last byte (transferring the buffer back when it was transferred, so the sender
 * can send it again).
 */

/// <reference lib="deno.worker" />

/** What a measuring peer is asked to measure. */
export type PeerJob =
  | { kind: "latency"; calls: number }
  | { kind: "throughput"; calls: number; window: number }
  | { kind: "bulk"; size: number; transfers: number; transfer: boolean };

/** What the parent sends a peer: first its role and port, then (to the measuring one) jobs. */
export type ToPeer = { role: "echo" | "measure"; port: MessagePort } | { job: PeerJob };

/** One round trip over `port`: posts `message` and resolves with the answer. */
function roundTrip(port: MessagePort, message: unknown, transfer: Transferable[] = []) {
  return new Promise<unknown>((resolve) => {
    port.onmessage = (e) => resolve(e.data);
    port.postMessage(message, transfer);
  });
}

function percentiles(samples: number[]) {
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: at(0.5) * 1000, p99: at(0.99) * 1000 };
}

async function measure(port: MessagePort, job: PeerJob): Promise<unknown> {
  if (job.kind === "latency") {
    const payload = new Uint8Array(8);
    const samples: number[] = [];
    for (let i = 0; i < job.calls; i++) {
      const t0 = performance.now();
      await roundTrip(port, payload);
      samples.push(performance.now() - t0);
    }
    return percentiles(samples);
  }
  if (job.kind === "throughput") {
    const payload = new Uint8Array(8);
    let received = 0;
    let sent = 0;
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      port.onmessage = () => {
        if (++received === job.calls) resolve();
        else if (sent < job.calls) {
          sent++;
          port.postMessage(payload);
        }
      };
      for (; sent < Math.min(job.window, job.calls); sent++) port.postMessage(payload);
    });
    return job.calls / ((performance.now() - t0) / 1000);
  }
  let buffer = new ArrayBuffer(job.size);
  new Uint8Array(buffer)[job.size - 1] = 7;
  const samples: number[] = [];
  for (let i = 0; i < job.transfers; i++) {
    const t0 = performance.now();
    const message = { bulk: buffer, back: job.transfer };
    const answer = await roundTrip(port, message, job.transfer ? [buffer] : []) as {
      last: number;
      buffer?: ArrayBuffer;
    };
    samples.push(performance.now() - t0);
    if (answer.last !== 7) throw new Error("bulk: wrong byte");
    if (answer.buffer) buffer = answer.buffer;
  }
  return percentiles(samples).p50;
}

function echo(port: MessagePort): void {
  port.onmessage = (m) => {
    const { bulk, back } = m.data as { bulk?: ArrayBuffer; back?: boolean };
    if (!bulk) {
      port.postMessage(m.data);
      return;
    }
    const last = new Uint8Array(bulk)[bulk.byteLength - 1];
    if (back) port.postMessage({ last, buffer: bulk }, [bulk]);
    else port.postMessage({ last });
  };
}

let measuring: MessagePort | undefined;
self.onmessage = async (e: MessageEvent<ToPeer>) => {
  const msg = e.data;
  if ("role" in msg) {
    if (msg.role === "echo") echo(msg.port);
    else measuring = msg.port;
    return;
  }
  if (!measuring) throw new Error("a job before the port");
  self.postMessage(await measure(measuring, msg.job));
};
