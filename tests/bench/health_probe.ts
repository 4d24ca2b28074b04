/** Reads the real server's backlog and processing count from the admin health report (`GET /api/progress-sync/health`). */

import { ADMIN_TOKEN, sleep } from "./bench_env.ts";
import { buildRequest, HttpConnection } from "./load.ts";

/** One reading of the health report. */
export interface BacklogReading {
  /** ms since the probe opened. */
  atMs: number;
  /** Events accepted but not processed yet (the outbox depth; a lower bound when capped). */
  depth: number;
  /** Age of the oldest pending event, ms (null when none is pending). */
  oldestAgeMs: number | null;
  /** Events this server instance has processed since it started. */
  processedEvents: number;
  /** How long the health request took, ms. */
  requestMs: number;
}

/** A keep-alive connection that reads the health report on demand. */
interface HealthProbe {
  read(): Promise<BacklogReading>;
  close(): void;
}

const decoder = new TextDecoder();

/** Opens a probe on the real server at `port` (authorised by the bench's admin token). */
async function openHealthProbe(port: number): Promise<HealthProbe> {
  const conn = await HttpConnection.open("127.0.0.1", port);
  const opened = performance.now();
  const request = buildRequest("GET", "/api/progress-sync/health", {
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  return {
    async read() {
      const sent = performance.now();
      const response = await conn.send(request);
      const requestMs = performance.now() - sent;
      if (response.status !== 200) throw new Error(`Health report answered ${response.status}`);
      const report = JSON.parse(decoder.decode(response.body)) as {
        outbox: { depth: number; oldestPendingAgeMs: number | null };
        processing: { processedEvents: number };
      };
      return {
        atMs: sent - opened,
        depth: report.outbox.depth,
        oldestAgeMs: report.outbox.oldestPendingAgeMs,
        processedEvents: report.processing.processedEvents,
        requestMs,
      };
    },
    close: () => conn.close(),
  };
}

/** Polls the health report until the outbox is empty (telling `onReading` each reading); ms it took, or null after `limitMs`. */
export async function waitOutboxEmpty(
  port: number,
  limitMs: number,
  onReading?: (reading: BacklogReading) => void,
): Promise<number | null> {
  const probe = await openHealthProbe(port);
  const start = performance.now();
  try {
    while (performance.now() - start < limitMs) {
      const reading = await probe.read();
      onReading?.(reading);
      if (reading.depth === 0) return performance.now() - start;
      await sleep(100);
    }
    return null;
  } finally {
    probe.close();
  }
}

/** Readings taken once a second until `stop`, which takes a last one at once and returns them all. */
export interface BacklogSampler {
  stop(): Promise<BacklogReading[]>;
}

/** Starts reading the health report of the server at `port` now and then once a second. */
export async function sampleBacklog(port: number): Promise<BacklogSampler> {
  const probe = await openHealthProbe(port);
  const readings: BacklogReading[] = [await probe.read()];
  let reading: Promise<void> | null = null;
  const timer = setInterval(() => {
    reading ??= probe.read().then((r) => void readings.push(r)).finally(() => (reading = null));
  }, 1000);
  return {
    async stop() {
      clearInterval(timer);
      try {
        await reading;
        readings.push(await probe.read());
        return readings;
      } finally {
        probe.close();
      }
    },
  };
}
