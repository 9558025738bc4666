import { Kind, subscribe, visit, type DocumentNode, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { WebSocket } from 'ws';

/** Where one subscriber's frames go: its socket and its graphql-ws operation id. */
export interface CohortTarget {
  socket: WebSocket;
  id: string;
}

/** Something that keeps a topic polled while held (a live stream); `hold` adds one holder. */
export interface Holdable {
  hold(): () => void;
}

/** How many frames are written before the loop yields: a huge fan-out must not starve HTTP. */
const WRITE_CHUNK = 1_000;

/**
 * The socket under a `ws` WebSocket, when frames may be written to it directly: no extension
 * (permessage-deflate) negotiated, so a frame is a header and the bytes (RFC 6455 §5.2), and ws's
 * sender queues nothing of its own (it queues only while compressing). ws has no public API for
 * pre-framed data; `_socket` is its net.Socket.
 */
function rawSocket(socket: WebSocket): { write(data: Buffer): boolean } | null {
  if (socket.extensions !== '') return null;
  const raw = (socket as unknown as { _socket?: { writable?: boolean; write(data: Buffer): boolean } })._socket;
  return raw?.writable ? raw : null;
}

/** Bytes of one unmasked text frame carrying `length` bytes (a server's frames are unmasked). */
function frameSize(length: number): number {
  return length + (length < 126 ? 2 : length < 65_536 ? 4 : 10);
}

/** Writes the header of one final, unmasked text frame of `length` bytes at `at`; returns the end. */
function writeFrameHeader(out: Buffer, at: number, length: number): number {
  out[at] = 0x81;
  if (length < 126) {
    out[at + 1] = length;
    return at + 2;
  }
  if (length < 65_536) {
    out[at + 1] = 126;
    out.writeUInt16BE(length, at + 2);
    return at + 4;
  }
  out[at + 1] = 127;
  out.writeBigUInt64BE(BigInt(length), at + 2);
  return at + 10;
}

/**
 * The cohort key of a subscription: the same query text, operation, variables and visible scope
 * give the same results for every event, so they are executed once. Null when the subscription
 * must run alone: one that resumes (`since`) replays a history of its own.
 */
export function cohortKey(
  document: DocumentNode,
  query: string,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
  scopeKey: string,
): string | null {
  let resumes = false;
  visit(document, {
    Argument(node) {
      if (node.name.value !== 'since') return;
      if (node.value.kind === Kind.VARIABLE) {
        const value = variables?.[node.value.name.value];
        if (value !== null && value !== undefined) resumes = true;
      } else if (node.value.kind !== Kind.NULL) {
        resumes = true;
      }
    },
  });
  if (resumes) return null;
  return JSON.stringify([query, operationName ?? null, variables ?? null, scopeKey]);
}

interface Member {
  target: CohortTarget;
  /** `{"id":"…","type":"next","payload":` — the only per-subscriber bytes of a frame. */
  prefix: string;
  prefixBytes: Buffer;
  finish(error?: unknown): void;
}

/**
 * Subscribers of one cohort share one execution: one source iterator (one bus listener, one
 * execution of the selection per event, one serialization), whose frames are written to each
 * member's socket. Each member still counts as a holder of its topics, so pollers see the same
 * numbers as without cohorts and stop when the last member leaves.
 */
class Cohort {
  readonly members = new Set<Member>();
  /** The same members by socket: one socket's frames are written in one corked batch. */
  private readonly bySocket = new Map<WebSocket, Set<Member>>();
  /** One release per member beyond the first: the source's own hold stands for the first. */
  private readonly extraHolds: Array<() => void> = [];
  closed = false;

  constructor(
    readonly ready: Promise<AsyncIterator<ExecutionResult> | ExecutionResult>,
    /** The context the source executes with (its first member's). */
    private readonly contextValue: unknown,
    private readonly holders: () => Holdable[],
    private readonly onClosed: () => void,
    private readonly onExecuted: () => void,
  ) {}

  join(
    target: CohortTarget,
    source: AsyncIterator<ExecutionResult>,
    serialize: (r: ExecutionResult, contextValue: unknown) => string,
  ): AsyncGenerator<ExecutionResult> {
    if (this.members.size > 0) for (const h of this.holders()) this.extraHolds.push(h.hold());
    let resolveNext: ((r: IteratorResult<never>) => void) | undefined;
    let rejectNext: ((e: unknown) => void) | undefined;
    let ended: { error?: unknown } | undefined;
    const prefix = `{"id":${JSON.stringify(target.id)},"type":"next","payload":`;
    const member: Member = {
      target,
      prefix,
      prefixBytes: Buffer.from(prefix),
      finish: (error) => {
        if (ended) return;
        ended = error === undefined ? {} : { error };
        if (error !== undefined) rejectNext?.(error);
        else resolveNext?.({ value: undefined as never, done: true });
      },
    };
    const wasEmpty = this.members.size === 0;
    this.members.add(member);
    let mates = this.bySocket.get(target.socket);
    if (!mates) {
      mates = new Set();
      this.bySocket.set(target.socket, mates);
    }
    mates.add(member);
    if (wasEmpty) void this.pump(source, serialize);
    const leave = () => {
      if (!this.members.delete(member)) return;
      const mates = this.bySocket.get(target.socket);
      mates?.delete(member);
      if (mates?.size === 0) this.bySocket.delete(target.socket);
      if (this.members.size > 0) this.extraHolds.pop()?.();
      else this.close(source);
    };
    // graphql-ws reads this member's results from here; frames never come through it (they are
    // written by the pump), it only ends: when the source ends, or when the client completes.
    const iterator: AsyncGenerator<never> = {
      next: () =>
        ended
          ? ended.error !== undefined
            ? // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the source's own failure, passed on as it came
              Promise.reject(ended.error)
            : Promise.resolve({ value: undefined as never, done: true })
          : new Promise<IteratorResult<never>>((resolve, reject) => {
              resolveNext = resolve;
              rejectNext = reject;
            }),
      return: async () => {
        leave();
        member.finish();
        return { value: undefined as never, done: true };
      },
      throw: async (error: unknown) => {
        leave();
        member.finish();
        throw error;
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  private close(source: AsyncIterator<ExecutionResult>): void {
    if (this.closed) return;
    this.closed = true;
    this.onClosed();
    void source.return?.();
  }

  /** Events in order: the next is read only when every member has the previous one's frame. */
  private async pump(source: AsyncIterator<ExecutionResult>, serialize: (r: ExecutionResult, contextValue: unknown) => string): Promise<void> {
    try {
      for (;;) {
        const step = await source.next();
        if (step.done || this.closed) break;
        this.onExecuted();
        const payload = serialize(step.value, this.contextValue);
        const body = Buffer.from(`${payload}}`);
        let written = 0;
        for (const [socket, mates] of [...this.bySocket]) {
          if (socket.readyState !== socket.OPEN) continue;
          const raw = rawSocket(socket);
          if (raw) {
            // The frames of all this socket's members in one write: header, their prefix, the
            // shared payload bytes. No per-frame send, copy of the payload or syscall.
            let size = 0;
            for (const m of mates) size += frameSize(m.prefixBytes.length + body.length);
            const out = Buffer.allocUnsafe(size);
            let at = 0;
            for (const m of mates) {
              at = writeFrameHeader(out, at, m.prefixBytes.length + body.length);
              at += m.prefixBytes.copy(out, at);
              at += body.copy(out, at);
            }
            raw.write(out);
          } else {
            for (const m of mates) socket.send(`${m.prefix}${payload}}`);
          }
          written += mates.size;
          if (written >= WRITE_CHUNK) {
            written = 0;
            await new Promise((resolve) => setImmediate(resolve));
          }
        }
      }
      for (const m of this.members) m.finish();
    } catch (error) {
      for (const m of this.members) m.finish(error);
    }
    this.closed = true;
    this.onClosed();
  }
}

/**
 * Fan-out by cohort (as Hasura does for live queries): subscribers with the same document,
 * variables and visible scope are executed once per event, serialized once, and the same payload
 * bytes are written to each of their sockets. Replaces graphql-ws's `subscribe` (which would run
 * the selection once per subscriber per event).
 */
export class CohortRegistry {
  private readonly cohorts = new Map<string, Cohort>();
  /** Events executed by cohorts so far, one per event per cohort (for tests and the bench). */
  executions = 0;

  /**
   * @param serialize the JSON of a `next` payload, after the error policy (given the source's context)
   * @param holders the live streams a cohort's source opened (from its execution's context)
   */
  constructor(
    private readonly serialize: (result: ExecutionResult, contextValue: unknown) => string,
    private readonly holders: (contextValue: unknown) => Holdable[],
  ) {}

  /** Open cohorts (for tests and the bench). */
  get size(): number {
    return this.cohorts.size;
  }

  async subscribe(args: ExecutionArgs, key: string | null, target: CohortTarget): Promise<AsyncGenerator<ExecutionResult> | ExecutionResult> {
    if (key === null) return (await subscribe(args)) as AsyncGenerator<ExecutionResult> | ExecutionResult;
    for (;;) {
      let cohort = this.cohorts.get(key);
      if (!cohort) {
        const contextValue = args.contextValue;
        const created: Cohort = new Cohort(
          // A copy: graphql reads the arguments again at every event, and a member's own are cleared below.
          Promise.resolve(subscribe({ ...args })),
          contextValue,
          () => this.holders(contextValue),
          () => {
            if (this.cohorts.get(key) === created) this.cohorts.delete(key);
          },
          () => this.executions++,
        );
        cohort = created;
        this.cohorts.set(key, cohort);
      }
      const source = await cohort.ready.catch((error: unknown) => {
        if (this.cohorts.get(key) === cohort) this.cohorts.delete(key);
        throw error;
      });
      if (!isAsyncIterator(source)) {
        // An error before the first event (NOT_FOUND, a disabled provider): the same for every
        // member, and nothing to share; the next subscriber tries afresh.
        if (this.cohorts.get(key) === cohort) this.cohorts.delete(key);
        return source;
      }
      // Its last member left while this one waited: start a new one.
      if (cohort.closed) continue;
      const member = cohort.join(target, source, this.serialize);
      // graphql-ws keeps these arguments as long as the subscription lives; the cohort's source
      // holds what it needs, so a member's own context can go (most of an idle subscriber's memory).
      (args as { contextValue?: unknown }).contextValue = undefined;
      return member;
    }
  }
}

function isAsyncIterator(value: unknown): value is AsyncIterator<ExecutionResult> {
  return typeof (value as AsyncIterator<unknown>)?.next === 'function';
}
