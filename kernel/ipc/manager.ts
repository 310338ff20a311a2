/**
 * The IPC manager: the name service, handle operations, connections, regions, notifications
 * and barriers, and what happens when a party dies.
 *
 * Every operation takes the acting party and checks its handle and rights first. Messages do
 * not pass through here: they flow in the connections' shared rings, written by a service
 * itself or by the kernel on behalf of a process (syscalls/ipc.ts). The manager sets the rings
 * up, tears them down, and wakes processes sleeping on them.
 *
 * When a party dies, its names are freed (the endpoint stays, waiting for a new server), its
 * connections are marked closed or peer-dead, so whoever waits on the other end gets an error
 * at once, and its handles vanish.
 *
 * Region memory is bounded three ways: a region is at most REGION_SIZE_MAX bytes; the live
 * regions a party created count against its limit (a process's memory limit, shared with its
 * resident pages; SERVICE_REGION_BYTES_MAX for a service); and all of them together must fit
 * the machine's shared window. A region is freed when nothing names or maps it any more (see
 * docs/DECISIONS.md, "Region memory").
 */

import type { RamBank } from "../../machine/bus.ts";
import { ringDoorbell } from "../../abi/wait.ts";
import { PAGE_SIZE } from "../../machine/memory_map.ts";
import { EEXIST, EINVAL, ENOENT, ENOMEM, ENOTCONN, EPERM, SyscallError } from "../errno.ts";
import type { ThreadGroup } from "../proc.ts";
import type { WaitQueue } from "../wait.ts";
import type { IpcObject } from "./handles.ts";
import { Barrier, Connection, Endpoint, Notification, Party, Region } from "./objects.ts";
import { barrierArrive, signalBits } from "../../abi/sync.ts";
import {
  type Attachment,
  NAME_MAX,
  REGION_SIZE_MAX,
  RIGHT,
  RING_CLOSED,
  RING_OPEN,
  RING_PEER_DEAD,
} from "../../abi/ipc.ts";

/** What the IPC manager needs from the kernel. */
export interface IpcHost {
  /** Wakes the processes sleeping on `q`. */
  wake(q: WaitQueue): void;
  /**
   * A new RAM bank of `size` bytes in the shared window, reachable by every hart; undefined if
   * the window (or the host) has no room.
   */
  newSharedBank(name: string, size: number): RamBank | undefined;
  /** Gives a bank back to the machine (its region is freed). */
  freeSharedBank(bank: RamBank): void;
  /**
   * Charges `bytes` (negative: refunds) of region memory to a process party against its
   * memory limit; SyscallError(ENOMEM) if that would pass the limit.
   */
  chargeProcess(party: Party, bytes: number): void;
  /** Removes every process mapping of `region` (revocation). */
  unmapRegion(region: Region): void;
  /** Counts and logs an exception that is a kernel bug, contained (see Kernel.kernelBug). */
  kernelBug(what: string, e: unknown): void;
  /**
   * The kernel's reply doorbell: servers ring it after each reply to a client on the kernel's
   * side (the kernel itself, a process), and so does the manager when such a connection drops.
   */
  readonly replyDoorbell: Int32Array;
}

/** Most bytes of live regions one service may have created. */
export const SERVICE_REGION_BYTES_MAX = 256 * 1024 * 1024;

/** Party ids of services start here, clear of process ids. */
export const SERVICE_PARTY_BASE = 0x10_0000;
/** Most endpoint names. */
const NAMES_MAX = 256;

/** The IPC subsystem. */
export class IpcManager {
  readonly parties = new Map<number, Party>();
  readonly names = new Map<string, Endpoint>();
  readonly connections = new Map<number, Connection>();
  /** Live regions, by their bank. */
  readonly regions = new Map<RamBank, Region>();
  /** Malformed messages refused (and dropped) so far. */
  rejected = 0;
  private nextObjectId = 1;
  private nextService = SERVICE_PARTY_BASE;

  constructor(private readonly host: IpcHost) {}

  /** Reports a contained kernel bug met while serving a party (control.ts). */
  kernelBug(what: string, e: unknown): void {
    this.host.kernelBug(what, e);
  }

  // ------------------------------------------------------------------ parties

  /** The party of a process (created on first use). */
  processParty(group: ThreadGroup): Party {
    let party = this.parties.get(group.tgid);
    if (!party || party.group !== group) {
      party = new Party((o) => this.unheld(o), group.tgid, "process", `pid ${group.tgid}`, group);
      this.parties.set(party.id, party);
    }
    return party;
  }

  /** The kernel's own party: the client of the services a system call needs. */
  kernelParty(): Party {
    const party = new Party((o) => this.unheld(o), 0, "kernel", "kernel");
    this.parties.set(party.id, party);
    return party;
  }

  /** A new service party; `attach` hands it buffers. */
  serviceParty(name: string, attach: (a: Attachment) => void): Party {
    const party = new Party(
      (o) => this.unheld(o),
      this.nextService++,
      "service",
      name,
      undefined,
      attach,
    );
    this.parties.set(party.id, party);
    return party;
  }

  /** Releases everything a dead party held and tells its peers. */
  partyDied(party: Party): void {
    if (!party.alive) return;
    party.alive = false;
    for (const endpoint of this.names.values()) {
      if (endpoint.server === party) endpoint.server = undefined;
    }
    for (const conn of [...this.connections.values()]) {
      if (conn.server === party) this.dropConnection(conn, RING_PEER_DEAD);
      else if (conn.client === party) this.dropConnection(conn, RING_CLOSED);
    }
    // A service's regions go with it: its next instance makes its own, and the peers it
    // shared them with (the kernel, a driver doing DMA into them) have no use for the old.
    // Memory kept across its restarts is ServiceBoot's `kept`, not a region.
    if (party.kind === "service") {
      for (const region of [...this.regions.values()]) {
        if (region.owner === party) this.revoke(region);
      }
    }
    party.handles.clear();
    party.replyTokens.clear();
    this.parties.delete(party.id);
  }

  private dropConnection(conn: Connection, state: number): void {
    conn.channel.setState(state);
    if (conn.replyDoorbell) ringDoorbell(conn.replyDoorbell);
    conn.endpoint.connections.delete(conn);
    this.connections.delete(conn.id);
    conn.client.connections.delete(conn.endpoint);
    this.host.wake(conn.replyWaiters);
    this.host.wake(conn.spaceWaiters);
    this.host.wake(conn.endpoint.receivers);
  }

  // ------------------------------------------------------------------ names

  /** Serves `name`: the endpoint's server becomes `party`. EEXIST if a live server has it. */
  register(party: Party, name: string): number {
    checkName(name);
    let endpoint = this.names.get(name);
    if (endpoint?.server?.alive) throw new SyscallError(EEXIST, `${name} is served already`);
    if (!endpoint) {
      if (this.names.size >= NAMES_MAX) throw new SyscallError(ENOMEM, "too many names");
      endpoint = new Endpoint(this.nextObjectId++, name);
      this.names.set(name, endpoint);
    }
    const handle = party.handles.add(endpoint, RIGHT.SEND | RIGHT.RECEIVE | RIGHT.GRANT);
    endpoint.server = party;
    party.attach?.({
      type: "endpoint",
      handle,
      doorbell: endpoint.doorbell.buffer as SharedArrayBuffer,
    });
    return handle;
  }

  /** A handle to send to `name`. ENOENT if it was never registered. */
  lookup(party: Party, name: string): number {
    checkName(name);
    const endpoint = this.names.get(name);
    if (!endpoint) throw new SyscallError(ENOENT, `no endpoint ${name}`);
    return party.handles.add(endpoint, RIGHT.SEND);
  }

  // ------------------------------------------------------------------ connections

  /**
   * A new connection from `party` to the server of the endpoint behind `handle`, attached to
   * both sides. ENOTCONN if nobody serves it now.
   */
  connect(party: Party, handle: number): Connection {
    const { object: endpoint } = party.handles.get<Endpoint>(handle, "endpoint", RIGHT.SEND);
    const server = endpoint.server;
    if (!server?.alive) throw new SyscallError(ENOTCONN, `nobody serves ${endpoint.name}`);
    const conn = new Connection(this.nextObjectId++, endpoint, party, server);
    if (party.kind !== "service") conn.replyDoorbell = this.host.replyDoorbell;
    endpoint.connections.add(conn);
    this.connections.set(conn.id, conn);
    const serverHandle = this.handleOf(server, endpoint);
    server.attach?.({
      type: "accept",
      channelId: conn.id,
      endpoint: serverHandle,
      client: party.id,
      buffer: conn.channel.buffer,
      replyDoorbell: conn.replyDoorbell?.buffer as SharedArrayBuffer | undefined,
    });
    party.attach?.({
      type: "channel",
      channelId: conn.id,
      endpoint: handle,
      buffer: conn.channel.buffer,
      doorbell: endpoint.doorbell.buffer as SharedArrayBuffer,
    });
    return conn;
  }

  /** A process's connection to the endpoint behind `handle` (made, or remade, on demand). */
  processConnection(party: Party, handle: number): Connection {
    const { object: endpoint } = party.handles.get<Endpoint>(handle, "endpoint", RIGHT.SEND);
    const existing = party.connections.get(endpoint);
    if (existing && existing.channel.requests.state === RING_OPEN && existing.server.alive) {
      return existing;
    }
    const conn = this.connect(party, handle);
    party.connections.set(endpoint, conn);
    return conn;
  }

  /** After a request was written on `conn`: ring its endpoint's doorbell. */
  ring(conn: Connection): void {
    ringDoorbell(conn.endpoint.doorbell);
    this.host.wake(conn.endpoint.receivers);
  }

  /** The connection `id` if `party` is one of its ends. */
  connectionOf(party: Party, id: number): Connection {
    const conn = this.connections.get(id);
    if (!conn || (conn.client !== party && conn.server !== party)) {
      throw new SyscallError(EINVAL, `no connection ${id}`);
    }
    return conn;
  }

  private handleOf(party: Party, object: Endpoint): number {
    for (const [h, e] of party.handles.entries()) if (e.object === object) return h;
    return party.handles.add(object, RIGHT.SEND | RIGHT.RECEIVE | RIGHT.GRANT);
  }

  // ------------------------------------------------------------------ handles

  close(party: Party, handle: number): void {
    party.handles.remove(handle);
  }

  /** A new handle to the same object with at most `rights` (never more than `handle` has). */
  derive(party: Party, handle: number, rights: number): number {
    const entry = party.handles.entry(handle);
    if (!entry.object.alive) throw new SyscallError(EINVAL, "dead handle");
    return party.handles.add(entry.object, entry.rights & rights);
  }

  /**
   * Moves handles named in a message that came in on `conn` (valid in the sender's table)
   * into `receiver`'s table. Each must carry GRANT; the copies carry the same rights. The
   * sender keeps its own.
   */
  transfer(receiver: Party, conn: Connection, handles: number[]): number[] {
    const sender = conn.client === receiver ? conn.server : conn.client;
    return handles.map((h) => {
      const entry = sender.handles.entry(h);
      if (!(entry.rights & RIGHT.GRANT)) throw new SyscallError(EPERM, `handle ${h} not grantable`);
      if (!entry.object.alive) throw new SyscallError(EINVAL, `handle ${h} is dead`);
      return receiver.handles.add(entry.object, entry.rights);
    });
  }

  // ------------------------------------------------------------------ regions

  /**
   * Creates a region of `size` bytes (rounded up to pages). EINVAL for 0 or more than
   * REGION_SIZE_MAX; ENOMEM past the party's limit or when the shared window is full.
   */
  regionCreate(party: Party, size: number): number {
    if (!Number.isInteger(size) || size <= 0 || size > REGION_SIZE_MAX) {
      throw new SyscallError(EINVAL, `region size ${size}`);
    }
    const bytes = Math.ceil(size / PAGE_SIZE) * PAGE_SIZE;
    this.charge(party, bytes);
    const id = this.nextObjectId++;
    const bank = this.host.newSharedBank(`region ${id}`, bytes);
    if (!bank) {
      this.charge(party, -bytes);
      throw new SyscallError(ENOMEM, "the shared window is full");
    }
    const region = new Region(id, bank, party);
    this.regions.set(bank, region);
    const rights = RIGHT.READ | RIGHT.WRITE | RIGHT.GRANT | RIGHT.REVOKE;
    let handle: number;
    try {
      handle = party.handles.add(region, rights);
    } catch (e) {
      this.freeRegion(region);
      throw e;
    }
    this.attachRegion(party, handle, region, rights);
    return handle;
  }

  private charge(party: Party, bytes: number): void {
    if (party.kind === "process") {
      this.host.chargeProcess(party, bytes);
    } else if (bytes > 0 && party.regionBytes + bytes > SERVICE_REGION_BYTES_MAX) {
      throw new SyscallError(ENOMEM, `regions of ${party.name} would pass its limit`);
    }
    party.regionBytes += bytes;
  }

  /** A page of `bank` was mapped into an address space (`delta` 1) or left one (-1). */
  regionPageMapped(bank: RamBank, delta: 1 | -1): void {
    const region = this.regions.get(bank);
    if (!region) return;
    region.mappedPages += delta;
    if (region.mappedPages === 0 && region.held === 0) this.freeRegion(region);
  }

  private unheld(object: IpcObject): void {
    if (object instanceof Region && object.mappedPages === 0) this.freeRegion(object);
  }

  /**
   * Nothing names or maps `region` any more: its creator gets its charge back, services'
   * copies of its buffer are marked revoked, and its bank leaves the machine.
   */
  private freeRegion(region: Region): void {
    if (!this.regions.delete(region.bank)) return;
    Atomics.store(region.control, 0, 1);
    if (region.owner.alive) this.charge(region.owner, -region.size);
    this.host.freeSharedBank(region.bank);
  }

  /** Hands a service the buffer of a region it holds; returns the region's size. */
  regionOpen(party: Party, handle: number): number {
    const { object, rights } = party.handles.get<Region>(handle, "region", 0);
    if (!(rights & (RIGHT.READ | RIGHT.WRITE))) throw new SyscallError(EPERM, "no access right");
    this.attachRegion(party, handle, object, rights);
    return object.size;
  }

  private attachRegion(party: Party, handle: number, region: Region, rights: number): void {
    party.attach?.({
      type: "region",
      handle,
      rights,
      buffer: region.bank.buffer,
      control: region.control.buffer as SharedArrayBuffer,
    });
  }

  /**
   * Revokes a region: every holder loses its handles and mappings. Services' copies of the
   * buffer are marked revoked (their library refuses access); the region is freed once the
   * last mapping has left every TLB.
   */
  regionRevoke(party: Party, handle: number): void {
    this.revoke(party.handles.get<Region>(handle, "region", RIGHT.REVOKE).object);
  }

  private revoke(region: Region): void {
    Atomics.store(region.control, 0, 1);
    for (const p of this.parties.values()) p.handles.dropObject(region);
    this.host.unmapRegion(region);
  }

  // ------------------------------------------------------------------ notifications

  notificationCreate(party: Party): number {
    const n = new Notification(this.nextObjectId++);
    const handle = party.handles.add(n, RIGHT.SIGNAL | RIGHT.WAIT | RIGHT.GRANT);
    this.notificationOpen(party, handle);
    return handle;
  }

  notificationOpen(party: Party, handle: number): void {
    const { object } = party.handles.get<Notification>(handle, "notification", 0);
    party.attach?.({
      type: "notification",
      handle,
      buffer: object.word.buffer as SharedArrayBuffer,
    });
  }

  /** Sets bits; they accumulate until a waiter takes them. */
  notify(party: Party, handle: number, bits: number): void {
    const { object } = party.handles.get<Notification>(handle, "notification", RIGHT.SIGNAL);
    this.signal(object, bits);
  }

  /** Sets bits on a notification on the kernel's behalf (a device interrupt). */
  signal(n: Notification, bits: number): void {
    signalBits(n.word, bits);
    this.host.wake(n.waiters);
  }

  // ------------------------------------------------------------------ barriers

  barrierCreate(party: Party, parties: number): number {
    if (!Number.isInteger(parties) || parties < 1 || parties > 1024) {
      throw new SyscallError(EINVAL, `barrier of ${parties} parties`);
    }
    const b = new Barrier(this.nextObjectId++, parties);
    const handle = party.handles.add(b, RIGHT.WAIT | RIGHT.GRANT);
    this.barrierOpen(party, handle);
    return handle;
  }

  barrierOpen(party: Party, handle: number): number {
    const { object } = party.handles.get<Barrier>(handle, "barrier", 0);
    party.attach?.({
      type: "barrier",
      handle,
      parties: object.parties,
      buffer: object.words.buffer as SharedArrayBuffer,
    });
    return object.parties;
  }

  /**
   * Arrives at a barrier; returns the round it arrived in, and whether this arrival completed
   * it (the serial one, which starts the next round).
   */
  barrierArrive(barrier: Barrier): { round: number; last: boolean } {
    const arrival = barrierArrive(barrier.words, barrier.parties);
    if (arrival.last) this.host.wake(barrier.waiters);
    return arrival;
  }
}

function checkName(name: string): void {
  const bytes = new TextEncoder().encode(name).length;
  if (bytes === 0 || bytes > NAME_MAX) throw new SyscallError(EINVAL, `bad name length ${bytes}`);
}
