import { type AuditEntry, listAudit } from "../audit/audit_log.ts";
import { getUser } from "../auth/account_store.ts";
import type { Processor } from "../processing/processor.ts";
import { listDeliveries, type WebhookDelivery } from "../webhooks/delivery_store.ts";
import type { DeliveryWorker } from "../webhooks/delivery_worker.ts";
import { type EndpointView, endpointView, listEndpoints } from "../webhooks/endpoint_store.ts";
import { buildHealthReport, type HealthReport } from "./health_report.ts";

/** A delivery as the admin console lists it. */
export interface ConsoleDelivery {
  id: string;
  endpointId: string;
  url: string;
  type: string;
  status: string;
  attempts: number;
  createdAt: string;
  lastAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
}

/** Everything the admin console shows, in one read. */
export interface ConsoleData {
  health: HealthReport;
  endpoints: EndpointView[];
  recentDeliveries: ConsoleDelivery[];
  deadLetters: ConsoleDelivery[];
  /** The latest audit entries (without their details), each with who did it in words. */
  audit: (Omit<AuditEntry, "details"> & { actorName: string })[];
}

/**
 * Who an audit actor is, in words: a student's username, "admin", "the service", or the token
 * or system it names (a deleted student's id stays an id).
 */
export async function actorNames(
  kv: Deno.Kv,
  actors: readonly string[],
): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const actor of new Set(actors)) {
    if (actor === "admin") names.set(actor, "admin");
    else if (actor === "system") names.set(actor, "the service");
    else if (actor.startsWith("token:")) names.set(actor, `API token ${actor.slice(6)}`);
    else if (actor.startsWith("inbound:")) names.set(actor, `${actor.slice(8)} (inbound webhook)`);
    else names.set(actor, (await getUser(kv, actor))?.username ?? actor);
  }
  return names;
}

const SHOWN = 20;

function consoleDelivery(d: WebhookDelivery, url: string): ConsoleDelivery {
  return {
    id: d.id,
    endpointId: d.endpointId,
    url,
    type: d.type,
    status: d.status,
    attempts: d.attempts,
    createdAt: d.createdAt,
    lastAttemptAt: d.lastAttemptAt,
    lastStatus: d.lastStatus,
    lastError: d.lastError,
    nextAttemptAt: d.nextAttemptAt === null ? null : new Date(d.nextAttemptAt).toISOString(),
  };
}

/** Reads the console's data: the health report, endpoints, latest deliveries and dead letters, latest audit entries. */
export async function loadConsoleData(
  kv: Deno.Kv,
  deps: { processor: Processor; deliveries?: DeliveryWorker | undefined },
): Promise<ConsoleData> {
  const [health, endpoints, audit] = await Promise.all([
    buildHealthReport(kv, deps),
    listEndpoints(kv),
    listAudit(kv, { limit: SHOWN }),
  ]);
  const pages = await Promise.all(endpoints.map(async (e) => ({
    url: e.url,
    recent: await listDeliveries(kv, e.id, { limit: SHOWN }),
    dead: await listDeliveries(kv, e.id, { status: "dead", limit: SHOWN }),
  })));
  const newest = (a: ConsoleDelivery, b: ConsoleDelivery) => b.createdAt.localeCompare(a.createdAt);
  const names = await actorNames(kv, audit.entries.map((e) => e.actor));
  return {
    health,
    endpoints: endpoints.map((e) => endpointView(e)),
    recentDeliveries: pages.flatMap((p) =>
      p.recent.deliveries.map((d) => consoleDelivery(d, p.url))
    )
      .sort(newest).slice(0, SHOWN),
    deadLetters: pages.flatMap((p) => p.dead.deliveries.map((d) => consoleDelivery(d, p.url)))
      .sort(newest).slice(0, SHOWN),
    audit: audit.entries.map(({ details: _details, ...entry }) => ({
      ...entry,
      actorName: names.get(entry.actor) ?? entry.actor,
    })),
  };
}
