// Messages between the pool (main thread) and its workers. One union per direction.
import { inspect } from 'node:util';
import type { Schedule } from '../model/report';
import type { TypedArray } from './pool-types';

/** Operation kinds as the profiler names them (Region.kind). */
export type OperationKind = 'map' | 'forEach' | 'reduce' | 'join';

/**
 * Input as the worker sees it, addressed by 0-based position p in [0, n).
 * range: item = index = start + p. array: item = data[p - offset] (a static worker gets only
 * its slice). typed: item = data[p], the buffer is shared, never copied per worker.
 */
export type InputDesc =
  | { kind: 'range'; start: number }
  | { kind: 'array'; data: readonly unknown[]; offset: number }
  | { kind: 'typed'; data: TypedArray };

export interface OpMessage {
  type: 'op';
  op: number;
  kind: OperationKind;
  fn: string;
  schedule: Schedule;
  input: InputDesc;
  /** Items of the operation (positions 0..n-1); for join, the root range length. */
  n: number;
  chunkSize: number;
  /** static: whether chunkSize was given (fixed chunks dealt round robin) or one chunk per thread. */
  fixedChunks: boolean;
  /** This worker's 0-based slot and the number of workers taking part. */
  slot: number;
  threads: number;
  /** threadId per slot, for stolenFrom. */
  threadIds: number[];
  control: SharedArrayBuffer;
  /** steal/join shared deques (see schedule-steal.ts). */
  steal?: SharedArrayBuffer;
  /** Recorder region key, or -1 when nothing is recorded. */
  region: number;
  /** When the operation's tasks became available, µs from origin (0 when not recording). */
  enqueue: number;
  /** OperationOptions.data, exposed to tasks as ctx.data. */
  data?: unknown;
  /** reduce: the accumulator every chunk starts from. */
  identity?: unknown;
}

export interface CombineMessage {
  type: 'combine';
  op: number;
  fn: string;
  values: unknown[];
}

export interface CloseMessage {
  type: 'close';
}

export type ToWorker = OpMessage | CombineMessage | CloseMessage;

export interface DoneMessage {
  type: 'done';
  op: number;
  /** Flat pairs: first position of a task, then its results (map: array; reduce/join: value; forEach: count). */
  parts: unknown[];
  /** Tasks (scheduled chunks) the worker ran, and ranges (steal) or tasks (join) it stole. */
  tasks: number;
  steals: number;
}

/** TaskErrorMessage index and task when the failure belongs to no item or task (e.g. the task module did not load). */
export const NO_INDEX = -1;

export interface TaskErrorMessage {
  type: 'error';
  op: number;
  /** Item index (as passed to the task) that threw, or the task's first item for join; NO_INDEX when none. */
  index: number;
  task: number;
  message: string;
  stack?: string;
}

export interface CombinedMessage {
  type: 'combined';
  op: number;
  value?: unknown;
  error?: { message: string; stack?: string };
}

/** The task module has loaded (or failed to: operations then report the load error). */
export interface ReadyMessage {
  type: 'ready';
  op: -1;
  /**
   * When the worker was ready, µs from origin on the recorder's clock (absent when not recording):
   * the pool's thread may read the message much later, while it runs code of its own.
   */
  at?: number;
}

export type FromWorker = DoneMessage | TaskErrorMessage | CombinedMessage | ReadyMessage;

/**
 * What a task threw, as text for an error message: an Error's message, a string as it is, anything
 * else inspected (`throw { code: 'E42' }` read "[object Object]"), at most 500 characters.
 */
export function thrownText(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'string') return e;
  let text: string;
  try {
    text = inspect(e, { depth: 2, breakLength: Infinity });
  } catch {
    text = String(e);
  }
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}
