import type { Processor, ProcessorStats } from "./processor.ts";

/** What the main thread asks the processing Worker to do (`Processor` methods by name). */
export type WorkerRequest =
  | { kind: "start"; kvPath: string; queuesEnabled: boolean }
  | { kind: "call"; id: number; method: "schedule" | "sweep" | "handleMessage"; arg: unknown };

/**
 * The processing Worker's messages: ready for requests (messages sent to a Worker before its
 * module has loaded can be lost), its processor started or failed to (opening KV), a call's outcome with its processor's figures, or a wake-up
 * for webhook deliveries.
 */
export type WorkerReply =
  | { kind: "ready" }
  | { kind: "started" }
  | { kind: "failed"; error: string }
  | { kind: "done"; id: number; value?: unknown; error?: string; stats: ProcessorStats }
  | { kind: "deliveries" };

interface Call {
  method: "schedule" | "sweep" | "handleMessage";
  arg: unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Runs one call of the Worker protocol on `processor`. */
export function callProcessor(
  processor: Processor,
  call: Pick<Call, "method" | "arg">,
): Promise<unknown> {
  if (call.method === "schedule") return processor.schedule(call.arg as string);
  if (call.method === "sweep") {
    return processor.sweep(call.arg as { olderThanMs?: number } | undefined);
  }
  return processor.handleMessage(call.arg);
}

/**
 * A `Processor` that runs in a Deno Worker on its own connection to the KV file at `kvPath`,
 * keeping processing off the thread that serves HTTP and live streams (which wake on the
 * Worker's commits through `kv.watch`). Until the Worker has started, and for good should it
 * fail (every call in flight included), calls go to `fallback`, the in-process processor; the
 * two never apply an event twice (each processing commit checks the student's summary).
 */
export function createWorkerProcessor(
  kvPath: string,
  options: { fallback: Processor; queuesEnabled: boolean; onDeliveriesQueued?: () => void },
): Processor & {
  /** Where calls go once the Worker has started (`inline` if it failed); until then, in-process. */
  started: Promise<"worker" | "inline">;
  close(): void;
} {
  const { fallback } = options;
  const calls = new Map<number, Call>();
  const idleWaiters: (() => void)[] = [];
  let nextId = 0;
  /** False until the Worker's processor has started: calls made before then run in-process. */
  let ready = false;
  let markStarted: (where: "worker" | "inline") => void = () => {};
  const started = new Promise<"worker" | "inline">((resolve) => markStarted = resolve);
  let stats: ProcessorStats = fallback.stats();
  let worker: Worker | null = new Worker(new URL("./processing_worker.ts", import.meta.url), {
    type: "module",
    name: "processing",
  });

  function settled(id: number): Call | undefined {
    const call = calls.get(id);
    calls.delete(id);
    if (calls.size === 0) { for (const resolve of idleWaiters.splice(0)) resolve(); }
    return call;
  }

  function failOver(reason: unknown): void {
    if (!worker) return;
    console.error("Processing Worker failed; processing in the main thread from now on:", reason);
    worker.terminate();
    worker = null;
    markStarted("inline");
    for (const [id, call] of calls) {
      callProcessor(fallback, call).then(call.resolve, call.reject).finally(() => settled(id));
    }
  }

  worker.onmessage = (message: MessageEvent<WorkerReply>) => {
    const reply = message.data;
    if (reply.kind === "deliveries") return options.onDeliveriesQueued?.();
    if (reply.kind === "failed") return failOver(reply.error);
    if (reply.kind === "ready") {
      return worker?.postMessage({ kind: "start", kvPath, queuesEnabled: options.queuesEnabled });
    }
    if (reply.kind === "started") {
      ready = true;
      return markStarted("worker");
    }
    stats = reply.stats;
    const call = settled(reply.id);
    if (reply.error === undefined) call?.resolve(reply.value);
    else call?.reject(new Error(reply.error));
  };
  worker.onerror = (event) => {
    event.preventDefault();
    failOver(event.message);
  };

  function call<T>(method: Call["method"], arg: unknown): Promise<T> {
    if (!worker || !ready) return callProcessor(fallback, { method, arg }) as Promise<T>;
    const id = nextId++;
    const promise = new Promise<T>((resolve, reject) => {
      calls.set(id, { method, arg, resolve: resolve as (value: unknown) => void, reject });
    });
    worker.postMessage({ kind: "call", id, method, arg } satisfies WorkerRequest);
    return promise;
  }

  return {
    schedule(userId) {
      const promise = call<void>("schedule", userId);
      // As in-process: failures are reported by the processor; a caller that does not await must not crash.
      promise.catch(() => {});
      return promise;
    },
    sweep: (sweepOptions) => call<number>("sweep", sweepOptions),
    handleMessage: (message) => call<void>("handleMessage", message),
    stats: () => worker ? stats : fallback.stats(),
    async idle() {
      if (calls.size > 0) await new Promise<void>((resolve) => idleWaiters.push(resolve));
      await fallback.idle();
    },
    started,
    close() {
      worker?.terminate();
      worker = null;
    },
  };
}
