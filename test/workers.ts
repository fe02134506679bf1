/**
 * Jobs in worker threads, each under time limits: the fuzzer's and the long property
 * run's way to survive a compiler or a generated program that hangs, overflows its stack
 * or runs out of memory.
 *
 * Input: a worker entry module (TypeScript, run through ./run-ts.js) that calls
 * `serveJobs`, and jobs as structured-cloneable data. Output: per job, its result, or
 * `timeout` / `crash` with the phase the job had reached (a job names its phases as it
 * goes, and each phase has its own time limit). Invariant: a worker that timed out or
 * crashed is terminated and replaced before its next job; no job outlives its limit by
 * more than the time a worker takes to stop.
 */
import * as path from "node:path";
import { Worker, isMainThread, parentPort } from "node:worker_threads";

export type Settled<R> =
  | { ok: true; result: R }
  | { ok: false; reason: "timeout" | "crash"; phase: string; error?: string };

type Message<R> = { kind: "phase"; phase: string } | { kind: "done"; result: R } | { kind: "failed"; error: string };

export interface PoolOptions {
  /** milliseconds each phase may take; `default` for phases not listed */
  limits: Record<string, number> & { default: number };
  /** a worker is replaced after this many jobs, so that memory the compiler keeps cannot pile up */
  jobsPerWorker?: number;
  /** the worker's heap and stack, in MB */
  heapMb?: number;
  stackMb?: number;
}

const runTs = path.join(__dirname, "run-ts.js");

interface Slot {
  worker?: Worker;
  jobs: number;
  /** the exit of the worker being stopped; the next one waits for it */
  stopping?: Promise<number>;
}

/** `size` workers running `entry`; `run` queues a job for the next free one. */
export class WorkerPool<J, R> {
  private readonly slots: Slot[];
  private readonly idle: Slot[];
  private readonly waiting: ((slot: Slot) => void)[] = [];

  constructor(
    private readonly entry: string,
    size: number,
    private readonly options: PoolOptions,
  ) {
    this.slots = Array.from({ length: size }, () => ({ jobs: 0 }));
    this.idle = [...this.slots];
  }

  async run(job: J): Promise<Settled<R>> {
    const slot = this.idle.pop() ?? (await new Promise<Slot>((resolve) => this.waiting.push(resolve)));
    try {
      return await this.runOn(slot, job);
    } finally {
      const next = this.waiting.shift();
      if (next) next(slot);
      else this.idle.push(slot);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((slot) => this.stop(slot)));
  }

  private async runOn(slot: Slot, job: J): Promise<Settled<R>> {
    if (slot.stopping) await slot.stopping;
    if (!slot.worker || slot.jobs >= (this.options.jobsPerWorker ?? Infinity)) {
      await this.stop(slot);
      slot.worker = new Worker(runTs, {
        argv: [this.entry],
        resourceLimits: { maxOldGenerationSizeMb: this.options.heapMb ?? 2048, stackSizeMb: this.options.stackMb ?? 4 },
      });
      slot.worker.unref();
      slot.jobs = 0;
    }
    slot.jobs++;
    const worker = slot.worker;
    return new Promise<Settled<R>>((resolve) => {
      let phase = "start";
      let timer: NodeJS.Timeout | undefined;
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => finish({ ok: false, reason: "timeout", phase }, true), this.options.limits[phase] ?? this.options.limits.default);
      };
      const finish = (settled: Settled<R>, kill: boolean) => {
        clearTimeout(timer);
        worker.off("message", onMessage).off("error", onError).off("exit", onExit);
        if (kill) void this.stop(slot);
        resolve(settled);
      };
      const onMessage = (message: Message<R>) => {
        if (message.kind === "phase") {
          phase = message.phase;
          arm();
        } else if (message.kind === "done") finish({ ok: true, result: message.result }, false);
        else finish({ ok: false, reason: "crash", phase, error: message.error }, true);
      };
      const onError = (error: Error) => finish({ ok: false, reason: "crash", phase, error: error.stack ?? error.message }, true);
      const onExit = (code: number) => finish({ ok: false, reason: "crash", phase, error: `the worker exited with code ${code}` }, true);
      worker.on("message", onMessage).on("error", onError).on("exit", onExit);
      arm();
      worker.postMessage(job);
    });
  }

  private stop(slot: Slot): Promise<number> | undefined {
    const worker = slot.worker;
    slot.worker = undefined;
    if (!worker) return slot.stopping;
    slot.stopping = worker.terminate().finally(() => (slot.stopping = undefined));
    return slot.stopping;
  }
}

/**
 * The worker's side: runs `handle` on each job, `phase(name)` announcing each phase (and
 * restarting its clock). A throw from `handle` is reported as a crash of that job.
 */
export function serveJobs<J, R>(handle: (job: J, phase: (name: string) => void) => R | Promise<R>): void {
  if (isMainThread || !parentPort) throw new Error("serveJobs runs in a worker thread");
  const port = parentPort;
  port.on("message", async (job: J) => {
    try {
      const result = await handle(job, (phase) => port.postMessage({ kind: "phase", phase }));
      port.postMessage({ kind: "done", result });
    } catch (error) {
      port.postMessage({ kind: "failed", error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    }
  });
}
