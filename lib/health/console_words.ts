/** The admin console's words for what the health report says: what each status means, what to do. */
import type { HealthAlert, SystemHealth } from "./health_rules.ts";

/** A system's status as the console shows it: the report's, or "no events yet" for a silent one. */
export type ConsoleSystemStatus = SystemHealth["status"] | "no_events";

/** What each console status means, in one sentence. */
export const SYSTEM_STATUS_MEANINGS: Record<ConsoleSystemStatus, string> = {
  healthy: "Its events arrive and are processed without delay.",
  delayed: "An event of it has waited longer than the threshold to be processed.",
  conflict: "It disagreed with another system in the last hour; students see the conflict.",
  no_events: "It has not sent any event yet: nothing to judge.",
};

/** The console status of one system: "no_events" when it never sent anything and nothing waits. */
export function consoleSystemStatus(system: SystemHealth): ConsoleSystemStatus {
  const silent = system.processedEvents === 0 && system.pendingEvents === 0 &&
    system.lastEventAt === null && system.inbound.accepted === 0 && system.inbound.rejected === 0;
  return silent && system.status === "healthy" ? "no_events" : system.status;
}

const ACTIONS: Record<string, string> = {
  outbox_lag:
    "Check the server log for processing errors; the sweeper retries on its own. If it keeps growing, restart the service.",
  outbox_depth:
    "A burst is being worked off: watch Events / min. If the depth does not fall, look for processing errors.",
  processing_errors:
    "Read the latest error in the server log, fix its cause, then run a repair (dry run first) from the API.",
  webhook_endpoint_disabled:
    "Check that the receiver is up, then Enable the endpoint and Replay its dead letters.",
  webhook_failures:
    "Open a failed delivery's detail to read the receiver's response, fix the receiver, then Send test.",
  system_delayed:
    "Events of this system wait to be processed: check processing errors and the outbox.",
  data_consistency:
    "Run a repair with dryRun to see which projections differ, then run it without dryRun.",
};

/** What the operator should do about an alert. */
export function alertAction(alert: Pick<HealthAlert, "code">): string {
  return ACTIONS[alert.code] ?? "Check the server log for details.";
}
