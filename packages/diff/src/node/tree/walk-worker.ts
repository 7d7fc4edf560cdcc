/**
 * The directory walk on a worker thread. A walk's time is mostly lstat and readdir system calls;
 * run beside the main thread they overlap with what the consumer does per entry (parse the
 * snapshot, compare, build the layer). Entries come back in batches as strings plus one
 * BigInt64Array of stat fields, and a shared counter keeps at most a few batches in flight, so
 * memory stays bounded when the consumer is slower than the walk.
 */
import { Worker } from 'node:worker_threads';
import { type FsPath, type WalkedEntry, type WalkedStat, walkStats } from './walk-stats.js';

/** Entries per message: large enough to make messaging cheap, small enough to start early. */
const BATCH_ENTRIES = 256;
/** Batches posted but not yet taken by the consumer before the walk pauses. */
const MAX_IN_FLIGHT = 16;
/** Stat fields per entry, in this order. */
const STAT_FIELDS = [
  'mode',
  'uid',
  'gid',
  'size',
  'dev',
  'ino',
  'ctimeNs',
  'mtimeNs',
  'nlink',
  'rdev',
] as const;

/** One message from the worker. */
type WalkMessage =
  | {
      paths: string[];
      absolutes: Array<string | Uint8Array>;
      targets: Array<string | undefined>;
      stats: BigInt64Array;
    }
  | { done: true }
  | {
      error: { message: string; code?: string; errno?: number; syscall?: string; path?: string | Uint8Array };
    };

/** The worker's program: `walkStats` (passed as its source text) plus the batching around it. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const walkStats = ${walkStats.toString()};
const { batchEntries, maxInFlight, fields } = workerData;
const root = typeof workerData.root === 'string' ? workerData.root : Buffer.from(workerData.root);
const inFlight = new Int32Array(workerData.inFlight);
let batch;
const reset = () => {
  batch = { paths: [], absolutes: [], targets: [], stats: new BigInt64Array(batchEntries * fields.length) };
};
const flush = () => {
  const count = batch.paths.length;
  const stats = batch.stats.subarray(0, count * fields.length);
  parentPort.postMessage({ ...batch, stats }, [batch.stats.buffer]);
  Atomics.add(inFlight, 0, 1);
  for (let n = Atomics.load(inFlight, 0); n >= maxInFlight; n = Atomics.load(inFlight, 0)) {
    Atomics.wait(inFlight, 0, n);
  }
  reset();
};
try {
  reset();
  for (const entry of walkStats(root, fs)) {
    let at = batch.paths.length * fields.length;
    for (const field of fields) batch.stats[at++] = BigInt.asIntN(64, entry.stat[field]);
    batch.paths.push(entry.path);
    batch.absolutes.push(entry.absolute);
    batch.targets.push(entry.linkTarget);
    if (batch.paths.length === batchEntries) flush();
  }
  if (batch.paths.length > 0) flush();
  parentPort.postMessage({ done: true });
} catch (error) {
  const { message, code, errno, syscall, path } = error;
  parentPort.postMessage({ error: { message, code, errno, syscall, path } });
}
`;

/** The stat of entry `index` of a batch; dev and ino are read unsigned, as lstat gives them. */
function statAt(stats: BigInt64Array, index: number): WalkedStat {
  const at = index * STAT_FIELDS.length;
  return {
    mode: stats[at]!,
    uid: stats[at + 1]!,
    gid: stats[at + 2]!,
    size: stats[at + 3]!,
    dev: BigInt.asUintN(64, stats[at + 4]!),
    ino: BigInt.asUintN(64, stats[at + 5]!),
    ctimeNs: stats[at + 6]!,
    mtimeNs: stats[at + 7]!,
    nlink: stats[at + 8]!,
    rdev: stats[at + 9]!,
  };
}

/** The error the walk threw, rebuilt with the fields Node's fs errors carry (code, path, …). */
function walkError(error: Extract<WalkMessage, { error: unknown }>['error']): Error {
  const { message, ...fields } = error;
  if (fields.path instanceof Uint8Array) fields.path = Buffer.from(fields.path).toString('latin1');
  return Object.assign(new Error(message), fields);
}

/**
 * Walks `root` like {@link walkStats}, on a worker thread, yielding the entries in the same
 * order in batches. Stopping the iteration early stops the worker; a failure of the walk (e.g.
 * a directory that cannot be read) is thrown with the fields of the original fs error.
 */
export async function* walkInWorker(root: FsPath): AsyncGenerator<WalkedEntry[]> {
  const inFlight = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      root,
      inFlight: inFlight.buffer,
      batchEntries: BATCH_ENTRIES,
      maxInFlight: MAX_IN_FLIGHT,
      fields: STAT_FIELDS,
    },
  });
  const arrived: WalkMessage[] = [];
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  worker.on('message', (message: WalkMessage) => {
    arrived.push(message);
    notify();
  });
  worker.on('error', (error: Error) => {
    failure ??= error;
    notify();
  });
  worker.on('exit', (code) => {
    failure ??= new Error(`the directory walk of ${String(root)} stopped early (worker exit code ${code})`);
    notify();
  });
  try {
    for (;;) {
      const message = arrived.shift();
      if (message === undefined) {
        if (failure !== undefined) throw failure;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        continue;
      }
      if ('done' in message) return;
      if ('error' in message) throw walkError(message.error);
      Atomics.sub(inFlight, 0, 1);
      Atomics.notify(inFlight, 0);
      const { paths, absolutes, targets, stats } = message;
      yield paths.map((path, index) => {
        const absolute = absolutes[index]!;
        return {
          path,
          absolute: typeof absolute === 'string' ? absolute : Buffer.from(absolute),
          stat: statAt(stats, index),
          linkTarget: targets[index],
        };
      });
    }
  } finally {
    worker.removeAllListeners();
    await worker.terminate();
  }
}
