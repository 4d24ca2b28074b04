import { useEffect, useState } from "preact/hooks";
import type { ConsoleData, ConsoleDelivery } from "../lib/health/console_data.ts";

/** Props of the admin console: the server-rendered data it starts from, and how often to refresh. */
export interface AdminConsoleProps {
  initial: ConsoleData;
  /** Milliseconds between refreshes. */
  refreshMs: number;
}

type Connection = "open" | "connecting" | "closed";

const STATUS_CLASS: Record<string, string> = {
  healthy: "status-completed",
  succeeded: "status-completed",
  delayed: "status-started",
  pending: "status-in_progress",
  delivering: "status-in_progress",
  conflict: "status-skipped",
  failed: "status-failed",
  dead: "status-failed",
};

function time(iso: string | null): string {
  return iso ? iso.slice(0, 19).replace("T", " ") : "—";
}

function seconds(ms: number | null): string {
  return ms === null ? "—" : ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function percent(rate: number | null): string {
  return rate === null ? "—" : `${Math.round(rate * 1000) / 10} %`;
}

function Status(props: { value: string }) {
  return <span class={STATUS_CLASS[props.value] ?? "status"}>{props.value}</span>;
}

function Stat(props: { label: string; value: string; testid: string }) {
  return (
    <li class="stat">
      <span class="stat-value" data-testid={props.testid}>{props.value}</span>
      <span class="stat-label">{props.label}</span>
    </li>
  );
}

function DeliveryTable(
  props: { rows: ConsoleDelivery[]; onReplay?: (d: ConsoleDelivery) => void; testid: string },
) {
  if (props.rows.length === 0) return <p class="empty">None.</p>;
  return (
    <div class="table-wrap">
      <table class="table" data-testid={props.testid}>
        <thead>
          <tr>
            <th scope="col">Created</th>
            <th scope="col">Endpoint</th>
            <th scope="col">Type</th>
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
            <th scope="col">Last result</th>
            {props.onReplay && (
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((d) => (
            <tr key={`${d.endpointId}/${d.id}`}>
              <td>{time(d.createdAt)}</td>
              <td>
                <code>{d.url}</code>
              </td>
              <td>{d.type}</td>
              <td>
                <Status value={d.status} />
              </td>
              <td>{d.attempts}</td>
              <td>{d.lastStatus ?? d.lastError ?? "—"}</td>
              {props.onReplay && (
                <td>
                  <button
                    class="button button-secondary button-small"
                    type="button"
                    onClick={() => props.onReplay!(d)}
                  >
                    Replay
                  </button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The admin console: health, alerts, systems, webhook endpoints, deliveries and dead letters; refreshes itself. */
export default function AdminConsole(props: AdminConsoleProps) {
  const [data, setData] = useState<ConsoleData>(props.initial);
  const [connection, setConnection] = useState<Connection>("open");
  const [notice, setNotice] = useState<string | null>(null);

  async function refresh(): Promise<void> {
    try {
      const response = await fetch("/admin/api/console", {
        headers: { accept: "application/json" },
      });
      if (response.status === 401 || response.status === 403) {
        location.assign("/admin");
        return;
      }
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      setData(await response.json());
      setConnection("open");
    } catch {
      setConnection("closed");
    }
  }

  async function replay(delivery: ConsoleDelivery): Promise<void> {
    const response = await fetch(
      `/admin/api/webhooks/${delivery.endpointId}/deliveries/${delivery.id}/replay`,
      { method: "POST" },
    );
    const body = await response.json().catch(() => ({}));
    setNotice(
      response.ok ? `Delivery ${delivery.id} queued again.` : body.error ?? "Replay failed",
    );
    await refresh();
  }

  useEffect(() => {
    const timer = setInterval(refresh, props.refreshMs);
    return () => clearInterval(timer);
  }, []);

  const { health } = data;
  return (
    <div class="stack">
      <div class="cluster live-bar">
        <span class="live-status" data-state={connection} data-testid="console-connection">
          {connection === "open" ? "Live" : connection === "connecting" ? "Refreshing…" : "Offline"}
        </span>
        <span class="muted small">
          Status <strong data-testid="health-status">{health.status}</strong>, updated{" "}
          <time dateTime={health.generatedAt}>{time(health.generatedAt)}</time>
        </span>
      </div>
      {notice && <p class="alert alert-success" role="status">{notice}</p>}
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
                </li>
              ))}
            </ul>
          )}
      </section>
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
      <section aria-labelledby="systems-heading" class="card">
        <div class="card-header">
          <h2 id="systems-heading">Systems</h2>
        </div>
        <div class="table-wrap">
          <table class="table" data-testid="systems">
            <thead>
              <tr>
                <th scope="col">System</th>
                <th scope="col">Status</th>
                <th scope="col">Last event</th>
                <th scope="col">Processed</th>
                <th scope="col">Pending</th>
                <th scope="col">Inbound refused</th>
              </tr>
            </thead>
            <tbody>
              {health.systems.map((s) => (
                <tr key={s.system} title={s.reason ?? ""}>
                  <td>{s.system}</td>
                  <td>
                    <Status value={s.status} />
                  </td>
                  <td>{time(s.lastEventAt)}</td>
                  <td>{s.processedEvents}</td>
                  <td>{s.pendingEvents}</td>
                  <td>{s.inbound.rejected}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section aria-labelledby="endpoints-heading" class="card">
        <div class="card-header">
          <h2 id="endpoints-heading">Webhook endpoints</h2>
        </div>
        {health.webhooks.endpoints.length === 0
          ? (
            <p class="empty">
              No endpoints yet: add one with <code>POST /api/webhooks</code>.
            </p>
          )
          : (
            <div class="table-wrap">
              <table class="table" data-testid="endpoints">
                <thead>
                  <tr>
                    <th scope="col">URL</th>
                    <th scope="col">Enabled</th>
                    <th scope="col">Success (recent)</th>
                    <th scope="col">Succeeded / failed</th>
                    <th scope="col">Pending</th>
                    <th scope="col">Dead letters</th>
                  </tr>
                </thead>
                <tbody>
                  {health.webhooks.endpoints.map((e) => (
                    <tr key={e.id} title={e.disabledReason ?? ""}>
                      <td>
                        <code>{e.url}</code>
                      </td>
                      <td>{e.enabled ? "yes" : `no: ${e.disabledReason ?? ""}`}</td>
                      <td>{percent(e.recentSuccessRate)}</td>
                      <td>{e.succeeded} / {e.failed}</td>
                      <td>{e.pending}</td>
                      <td>{e.deadLetters}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
      </section>
      <section aria-labelledby="dead-heading" class="card">
        <div class="card-header">
          <h2 id="dead-heading">Dead letters</h2>
        </div>
        <DeliveryTable rows={data.deadLetters} onReplay={replay} testid="dead-letters" />
      </section>
      <section aria-labelledby="deliveries-heading" class="card">
        <div class="card-header">
          <h2 id="deliveries-heading">Recent deliveries</h2>
        </div>
        <DeliveryTable rows={data.recentDeliveries} testid="recent-deliveries" />
      </section>
      <section aria-labelledby="audit-heading" class="card">
        <div class="card-header">
          <h2 id="audit-heading">Audit log</h2>
        </div>
        {data.audit.length === 0 ? <p class="empty">Nothing yet.</p> : (
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
                {data.audit.map((a) => (
                  <tr key={a.id}>
                    <td>{time(a.at)}</td>
                    <td>{a.actor}</td>
                    <td>
                      <code>{a.action}</code>
                    </td>
                    <td>{a.target ?? "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
