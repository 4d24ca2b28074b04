/** The admin console's read-only panels: alerts with what to do, processing figures, systems and the audit log. */
import type { ConsoleData } from "../../lib/health/console_data.ts";
import {
  alertAction,
  consoleSystemStatus,
  SYSTEM_STATUS_MEANINGS,
} from "../../lib/health/console_words.ts";
import { percent, seconds, Stat, Status, time } from "./console_parts.tsx";

type Health = ConsoleData["health"];

/** Alerts whose thresholds passed, each with what to do about it. */
export function AlertsPanel({ health }: { health: Health }) {
  return (
    <section aria-labelledby="alerts-heading" class="card">
      <div class="card-header">
        <h2 id="alerts-heading">Alerts</h2>
      </div>
      {health.alerts.length === 0
        ? <p class="empty" data-testid="no-alerts">No thresholds passed.</p>
        : (
          <ul class="stack" data-testid="alerts">
            {health.alerts.map((a) => (
              <li class="alert" data-severity={a.severity} key={`${a.code}:${a.value}`}>
                <strong>{a.severity}</strong> {a.message}
                <p class="small" data-testid="alert-action">
                  <strong>What to do:</strong> {alertAction(a)}
                </p>
              </li>
            ))}
          </ul>
        )}
    </section>
  );
}

/** Outbox, throughput, error rate, consistency and pending deliveries. */
export function ProcessingPanel({ health }: { health: Health }) {
  return (
    <section aria-labelledby="figures-heading" class="card">
      <div class="card-header">
        <h2 id="figures-heading">Processing</h2>
      </div>
      <ul class="stats">
        <Stat label="Outbox depth" value={String(health.outbox.depth)} testid="outbox-depth" />
        <Stat
          label="Oldest pending"
          value={seconds(health.outbox.oldestPendingAgeMs)}
          testid="oldest-pending"
        />
        <Stat
          label="Events / min"
          value={String(health.processing.eventsPerMinute)}
          testid="events-per-minute"
        />
        <Stat
          label="Error rate"
          value={percent(health.processing.errorRate)}
          testid="error-rate"
        />
        <Stat
          label="Consistency"
          value={percent(health.dataConsistencyScore)}
          testid="consistency"
        />
        <Stat
          label="Pending deliveries"
          value={String(health.webhooks.pendingDeliveries)}
          testid="pending-deliveries"
        />
      </ul>
    </section>
  );
}

/** Every connected system with its status, why, and its counts. */
export function SystemsPanel({ health }: { health: Health }) {
  return (
    <section aria-labelledby="systems-heading" class="card stack">
      <div class="card-header">
        <h2 id="systems-heading">Systems</h2>
      </div>
      <div class="table-wrap">
        <table class="table" data-testid="systems">
          <thead>
            <tr>
              <th scope="col">System</th>
              <th scope="col">Status</th>
              <th scope="col">Why</th>
              <th scope="col">Last event</th>
              <th scope="col">Processed</th>
              <th scope="col">Pending</th>
              <th scope="col">Inbound refused</th>
            </tr>
          </thead>
          <tbody>
            {health.systems.map((s) => {
              const status = consoleSystemStatus(s);
              return (
                <tr key={s.system} data-system={s.system}>
                  <td>{s.system}</td>
                  <td data-testid="system-status">
                    <Status value={status} />
                  </td>
                  <td class="small">{s.reason ?? SYSTEM_STATUS_MEANINGS[status]}</td>
                  <td>{time(s.lastEventAt)}</td>
                  <td>{s.processedEvents}</td>
                  <td>{s.pendingEvents}</td>
                  <td>{s.inbound.rejected}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <details>
        <summary>What the statuses mean</summary>
        <dl class="facts">
          {Object.entries(SYSTEM_STATUS_MEANINGS).map(([status, meaning]) => (
            <div key={status}>
              <dt>
                <Status value={status} />
              </dt>
              <dd>{meaning}</dd>
            </div>
          ))}
        </dl>
      </details>
    </section>
  );
}

/** The latest audit entries. */
export function AuditPanel({ audit }: { audit: ConsoleData["audit"] }) {
  return (
    <section aria-labelledby="audit-heading" class="card">
      <div class="card-header">
        <h2 id="audit-heading">Audit log</h2>
      </div>
      {audit.length === 0 ? <p class="empty">Nothing yet.</p> : (
        <div class="table-wrap">
          <table class="table" data-testid="audit">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
              </tr>
            </thead>
            <tbody>
              {audit.map((a) => (
                <tr key={a.id}>
                  <td>{time(a.at)}</td>
                  <td data-testid="audit-actor">{a.actorName}</td>
                  <td>
                    <code>{a.action}</code>
                  </td>
                  <td class="wrap-anywhere">{a.target ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
