/**
 * Device interrupts as a driver sees them (kernel/ipc/devices.ts): the source is masked from
 * the interrupt until the driver acknowledges, and a line still high then — or raised again
 * meanwhile, as a disk completing a second request while its driver handles the first — is
 * delivered on the acknowledgement, not lost.
 */

import assert from "node:assert/strict";
import { Kernel } from "../../kernel/kernel.ts";
import { BufferTerminal } from "../../machine/backends/buffer_terminal.ts";
import { embedded } from "../../services/lib/service.ts";
import { TEST_IRQ } from "./fixtures/irq_probe.ts";

for (const isolation of ["inline", "worker"] as const) {
  Deno.test(`a line still high when the driver acknowledges interrupts again (${isolation})`, async () => {
    const terminal = new BufferTerminal();
    const kernel = new Kernel({ mode: "inline", devices: { serial1: terminal } });
    await kernel.services.start({
      name: "irq-probe",
      module: "tests/services/fixtures/irq_probe.ts",
      isolation,
      devices: ["uart1"],
    });
    try {
      const probe = await embedded(kernel.services.embeddedPort("tester")).lookup(TEST_IRQ);
      const answer = probe.call(0, undefined, { timeoutMs: 30_000 });
      terminal.feed("x");
      assert.equal((await answer).label, 2, "two interrupts for one unread byte");
      const [device] = kernel.devices.devices();
      assert.equal(device.acks >= 1, true);
    } finally {
      kernel.services.stopAll();
      kernel.machine.close();
    }
  });
}
