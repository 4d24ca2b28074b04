/// <reference lib="deno.worker" />
/**
 * Entry of the processing Worker (`createWorkerProcessor`): opens the service's KV file and runs
 * the processor on it, answering the main thread's calls.
 */
import { openKv } from "../kv_open.ts";
import { createServiceProcessor } from "./service_processor.ts";
import type { Processor } from "./processor.ts";
import { callProcessor, type WorkerReply, type WorkerRequest } from "./worker_processor.ts";

let processor: Promise<Processor> | null = null;

function reply(message: WorkerReply): void {
  self.postMessage(message);
}

async function start(kvPath: string, queuesEnabled: boolean): Promise<Processor> {
  const kv = await openKv(kvPath);
  return createServiceProcessor(kv, { queuesEnabled }, {
    deliveries: { wake: () => reply({ kind: "deliveries" }) },
  });
}

self.onmessage = async (message: MessageEvent<WorkerRequest>) => {
  const request = message.data;
  if (request.kind === "start") {
    processor = start(request.kvPath, request.queuesEnabled);
    processor.then(
      () => reply({ kind: "started" }),
      (error) => reply({ kind: "failed", error: String(error) }),
    );
    return;
  }
  const running = await processor!.catch(() => null);
  if (!running) return;
  const { id } = request;
  try {
    const value = await callProcessor(running, request);
    reply({ kind: "done", id, value, stats: running.stats() });
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    reply({ kind: "done", id, error: text, stats: running.stats() });
  }
};

reply({ kind: "ready" });
