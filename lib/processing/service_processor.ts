/**
 * The processor as the service runs it (in the serving thread and in the processing Worker):
 * failures are logged and audited, and handed to the KV queue for retries where queues exist.
 */
import { recordAudit } from "../audit/audit_log.ts";
import type { Config } from "../config.ts";
import type { DeliveryWorker } from "../webhooks/delivery_worker.ts";
import { createProcessor, processMessage, type Processor } from "./processor.ts";

/** Delays of the KV queue's retries of failed processing. */
export const RETRY_BACKOFF_MS = [1000, 5000, 15000, 60000];

/**
 * The processor as the service runs it: failures are logged and, where KV queues exist, handed
 * to the queue for durable retries with backoff (the sweeper retries everywhere else).
 */
export function createServiceProcessor(
  kv: Deno.Kv,
  config: Pick<Config, "queuesEnabled">,
  options: { deliveries?: Pick<DeliveryWorker, "wake"> } = {},
): Processor {
  return createProcessor(kv, {
    onError: (userIds, error) => reportProcessingFailure(kv, userIds, error),
    ...(options.deliveries ? { onDeliveriesQueued: () => options.deliveries!.wake() } : {}),
    ...(config.queuesEnabled
      ? {
        retry: async (userIds: readonly string[]) => {
          await kv.enqueue(processMessage(userIds), {
            delay: RETRY_BACKOFF_MS[0],
            backoffSchedule: RETRY_BACKOFF_MS,
          });
        },
      }
      : {}),
  });
}

/** Logs a failed processing run and records it in the audit log (it will be retried). */
export function reportProcessingFailure(
  kv: Deno.Kv,
  userIds: readonly string[],
  error: unknown,
): void {
  console.error(`Processing for ${userIds.join(", ")} failed; will retry:`, error);
  recordAudit(kv, {
    actor: "system",
    action: "sync.processing_failed",
    details: {
      users: userIds.slice(0, 20),
      error: error instanceof Error ? error.message : String(error),
    },
  }).catch(() => {});
}
