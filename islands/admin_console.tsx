import { useEffect, useState } from "preact/hooks";
import type { ConsoleData, ConsoleDelivery } from "../lib/health/console_data.ts";
import {
  alertAction,
  consoleSystemStatus,
  SYSTEM_STATUS_MEANINGS,
} from "../lib/health/console_words.ts";
import type { DeliveryAttempt } from "../lib/webhooks/delivery_store.ts";
import type { EndpointView } from "../lib/webhooks/endpoint_store.ts";

/** Props of the admin console: the server-rendered data it starts from, and how often to refresh. */
export interface AdminConsoleProps {
  initial: ConsoleData;
  /** Milliseconds between refreshes. */
  refreshMs: number;
  /** The event types an endpoint may subscribe to (besides "*", every type). */
  eventTypes: string[];
}

type Connection = "open" | "connecting" | "closed";

const STATUS_CLASS: Record<string, string> = {
  healthy: "status-completed",
  succeeded: "status-completed",
  delayed: "status-started",
  pending: "status-in_progress",
  delivering: "status-in_progress",
  conflict: "status-started",
  failed: "status-failed",
  dead: "status-failed",
  no_events: "status",
};

const STATUS_WORDS: Record<string, string> = { no_events: "no events yet" };

function time(iso: string | null): string {
  return iso ? `${iso.slice(0, 19).replace("T", " ")} UTC` : "—";
}

function seconds(ms: number | null): string {
  return ms === null ? "—" : ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function percent(rate: number | null): string {
  return rate === null ? "—" : `${Math.round(rate * 1000) / 10} %`;
}

function Status(props: { value: string }) {
  return (
    <span class={STATUS_CLASS[props.value] ?? "status"}>
      {STATUS_WORDS[props.value] ?? props.value}
    </span>
  );
}

function Stat(props: { label: string; value: string; testid: string }) {
  return (
    <li class="stat">
      <span class="stat-value" data-testid={props.testid}>{props.value}</span>
      <span class="stat-label">{props.label}</span>
    </li>
  );
}

/** Calls the console's admin API; answers the parsed body, or throws the API's error message. */
async function callApi<T>(
  path: string,
  init: { method?: string; json?: unknown } = {},
): Promise<T> {
  const response = await fetch(`/admin/api${path}`, {
    method: init.method ?? "GET",
    headers: {
      accept: "application/json",
      ...(init.json === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(init.json === undefined ? {} : { body: JSON.stringify(init.json) }),
  });
  if (response.status === 401) {
    location.assign("/admin");
    throw new Error("Signed out");
  }
  const body = response.status === 204 ? {} : await response.json().catch(() => ({}));
  if (!response.ok) {
    const issues = Array.isArray(body.issues)
      ? `: ${
        body.issues.map((i: { path: string; message: string }) => `${i.path} ${i.message}`).join(
          "; ",
        )
      }`
      : "";
    throw new Error(`${body.error ?? `HTTP ${response.status}`}${issues}`);
  }
  return body as T;
}

interface DeliveryDetail {
  id: string;
  endpointId: string;
  type: string;
  status: string;
  attempts: number;
  createdAt: string;
  nextAttemptAt: string | null;
  payload: unknown;
  attemptLog: DeliveryAttempt[];
}

function DeliveryDetailPanel(props: { detail: DeliveryDetail; url: string; onClose: () => void }) {
  const { detail } = props;
  return (
    <section class="card stack delivery-detail" data-testid="delivery-detail" aria-label="Delivery">
      <div class="card-header">
        <h3>
          Delivery <code>{detail.id}</code>
        </h3>
        <button class="button button-secondary button-small" type="button" onClick={props.onClose}>
          Close
        </button>
      </div>
      <dl class="facts">
        <div>
          <dt>Endpoint</dt>
          <dd>
            <code class="wrap-anywhere">{props.url}</code>
          </dd>
        </div>
        <div>
          <dt>Type</dt>
          <dd>{detail.type}</dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd>
            <Status value={detail.status} />
          </dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>{time(detail.createdAt)}</dd>
        </div>
        <div>
          <dt>Next attempt</dt>
          <dd>{time(detail.nextAttemptAt)}</dd>
        </div>
      </dl>
      <h4>Request</h4>
      <p class="small muted">
        POST with headers <code>webhook-id: {detail.id}</code>, <code>webhook-timestamp</code> and
        {" "}
        <code>webhook-signature</code> (HMAC-SHA256 of the body); body:
      </p>
      <pre data-testid="delivery-payload"><code>{JSON.stringify(detail.payload, null, 2)}</code></pre>
      <h4>Attempts and responses</h4>
      {detail.attemptLog.length === 0
        ? <p class="empty">No attempt yet.</p>
        : (
          <div class="table-wrap">
            <table class="table" data-testid="delivery-attempts">
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">At</th>
                  <th scope="col">Response</th>
                  <th scope="col">Latency</th>
                  <th scope="col">Body or error</th>
                </tr>
              </thead>
              <tbody>
                {detail.attemptLog.map((a) => (
                  <tr key={a.attempt}>
                    <td>{a.attempt}</td>
                    <td>{time(a.at)}</td>
                    <td>
                      <Status value={a.ok ? "succeeded" : "failed"} /> {a.status ?? "no response"}
                    </td>
                    <td>{seconds(a.latencyMs)}</td>
                    <td class="wrap-anywhere">
                      <code>{a.error ?? (a.responseSnippet || "(empty body)")}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
    </section>
  );
}

function DeliveryTable(
  props: {
    rows: ConsoleDelivery[];
    onReplay?: (d: ConsoleDelivery) => void;
    onDetail: (d: ConsoleDelivery) => void;
    testid: string;
    empty?: string;
  },
) {
  if (props.rows.length === 0) return <p class="empty">{props.empty ?? "None."}</p>;
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
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((d) => (
            <tr key={`${d.endpointId}/${d.id}`} data-delivery-id={d.id}>
              <td>{time(d.createdAt)}</td>
              <td class="wrap-anywhere">
                <code>{d.url}</code>
              </td>
              <td>{d.type}</td>
              <td>
                <Status value={d.status} />
              </td>
              <td>{d.attempts}</td>
              <td>{d.lastStatus ?? d.lastError ?? "—"}</td>
              <td class="cluster">
                <button
                  class="button button-secondary button-small"
                  type="button"
                  onClick={() => props.onDetail(d)}
                >
                  Details
                </button>
                {props.onReplay && (
                  <button
                    class="button button-secondary button-small"
                    type="button"
                    onClick={() => props.onReplay!(d)}
                  >
                    Replay
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** What the endpoint form edits. */
interface EndpointDraft {
  url: string;
  description: string;
  eventTypes: string[];
}

function EndpointForm(
  props: {
    initial: EndpointDraft;
    eventTypes: string[];
    submitLabel: string;
    onSubmit: (draft: EndpointDraft) => Promise<void>;
    onCancel?: () => void;
    idPrefix: string;
  },
) {
  const [draft, setDraft] = useState<EndpointDraft>(props.initial);
  const [error, setError] = useState<string | null>(null);
  const all = draft.eventTypes.includes("*");
  function toggle(type: string, on: boolean) {
    const rest = draft.eventTypes.filter((t) => t !== type);
    setDraft({ ...draft, eventTypes: on ? [...rest, type] : rest });
  }
  async function submit(event: Event) {
    event.preventDefault();
    if (!draft.url.trim()) return setError("Enter the receiver's URL.");
    if (draft.eventTypes.length === 0) return setError("Choose at least one event type.");
    try {
      setError(null);
      await props.onSubmit(draft);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }
  return (
    <form class="form endpoint-form" onSubmit={submit} novalidate>
      <div class="field">
        <label for={`${props.idPrefix}-url`}>Receiver URL</label>
        <input
          id={`${props.idPrefix}-url`}
          type="url"
          required
          value={draft.url}
          placeholder="https://example.org/webhooks/progress"
          onInput={(e) => setDraft({ ...draft, url: e.currentTarget.value })}
          aria-invalid={error && !draft.url.trim() ? "true" : undefined}
        />
      </div>
      <div class="field">
        <label for={`${props.idPrefix}-description`}>Description</label>
        <input
          id={`${props.idPrefix}-description`}
          value={draft.description}
          maxLength={500}
          onInput={(e) => setDraft({ ...draft, description: e.currentTarget.value })}
        />
      </div>
      <fieldset class="field">
        <legend class="label">Event types</legend>
        <label class="checkbox">
          <input
            type="checkbox"
            checked={all}
            onChange={(e) => toggle("*", e.currentTarget.checked)}
          />{" "}
          All, including types added later
        </label>
        {props.eventTypes.map((type) => (
          <label class="checkbox" key={type}>
            <input
              type="checkbox"
              checked={all || draft.eventTypes.includes(type)}
              disabled={all}
              onChange={(e) => toggle(type, e.currentTarget.checked)}
            />{" "}
            <code>{type}</code>
          </label>
        ))}
      </fieldset>
      {error && <p class="field-error" role="alert">{error}</p>}
      <div class="form-actions">
        <button class="button" type="submit">{props.submitLabel}</button>
        {props.onCancel && (
          <button class="button button-secondary" type="button" onClick={props.onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

type TimeFilter = "any" | "1h" | "24h" | "7d";
const TIME_WINDOWS: Record<TimeFilter, number> = {
  any: Infinity,
  "1h": 3_600_000,
  "24h": 86_400_000,
  "7d": 7 * 86_400_000,
};

function EndpointRow(
  props: {
    endpoint: EndpointView;
    health: ConsoleData["health"]["webhooks"]["endpoints"][number] | undefined;
    eventTypes: string[];
    act: (label: string, run: () => Promise<string>) => Promise<void>;
    onSecret: (secret: { url: string; secret: string }) => void;
  },
) {
  const { endpoint: e, health: h } = props;
  const [editing, setEditing] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const path = `/webhooks/${e.id}`;
  return (
    <li class="endpoint card stack" data-testid="endpoint" data-endpoint-id={e.id}>
      <div class="endpoint-head">
        <div class="stack-tight">
          <code class="wrap-anywhere" data-testid="endpoint-url">{e.url}</code>
          {e.description && <span class="small muted">{e.description}</span>}
          <ul class="chips" aria-label="Event types">
            {e.eventTypes.map((t) => <li class="chip" key={t}>{t === "*" ? "all types" : t}</li>)}
          </ul>
        </div>
        <span data-testid="endpoint-state">
          <Status value={e.enabled ? "healthy" : "failed"} />
          <span class="small">
            {e.enabled ? " enabled" : ` disabled${e.disabledReason ? `: ${e.disabledReason}` : ""}`}
          </span>
        </span>
      </div>
      <p class="small muted">
        Success (recent) {percent(h?.recentSuccessRate ?? null)} · succeeded {h?.succeeded ?? 0}
        {" "}
        / failed {h?.failed ?? 0} · pending {h?.pending ?? 0} · dead letters {h?.deadLetters ?? 0}
        {e.rotationEndsAt ? ` · previous secret valid until ${time(e.rotationEndsAt)}` : ""}
      </p>
      <div class="cluster">
        <button
          class="button button-small"
          type="button"
          disabled={!e.enabled}
          onClick={() =>
            props.act("send-test", async () => {
              await callApi(`${path}/test`, { method: "POST" });
              return `Test message queued for ${e.url}.`;
            })}
        >
          Send test
        </button>
        <button
          class="button button-secondary button-small"
          type="button"
          aria-expanded={editing}
          onClick={() => setEditing(!editing)}
        >
          Edit
        </button>
        <button
          class="button button-secondary button-small"
          type="button"
          onClick={() =>
            props.act("toggle", async () => {
              await callApi(path, { method: "PATCH", json: { enabled: !e.enabled } });
              return `${e.url} ${e.enabled ? "disabled" : "enabled"}.`;
            })}
        >
          {e.enabled ? "Disable" : "Enable"}
        </button>
        <button
          class="button button-secondary button-small"
          type="button"
          onClick={() =>
            props.act("rotate", async () => {
              const { secret } = await callApi<{ secret: string }>(`${path}/rotate`, {
                method: "POST",
              });
              props.onSecret({ url: e.url, secret });
              return `New secret for ${e.url}: the old one keeps signing for 24 hours.`;
            })}
        >
          Rotate secret
        </button>
        {confirmDelete
          ? (
            <span class="cluster confirm-inline" role="group" aria-label="Confirm delete">
              <span class="small">Delete it and its delivery log?</span>
              <button
                class="button button-danger button-small"
                type="button"
                onClick={() =>
                  props.act("delete", async () => {
                    await callApi(path, { method: "DELETE" });
                    return `${e.url} deleted.`;
                  })}
              >
                Yes, delete
              </button>
              <button
                class="button button-secondary button-small"
                type="button"
                onClick={() => setConfirmDelete(false)}
              >
                Keep
              </button>
            </span>
          )
          : (
            <button
              class="button button-danger button-small"
              type="button"
              onClick={() => setConfirmDelete(true)}
            >
              Delete
            </button>
          )}
      </div>
      {editing && (
        <EndpointForm
          idPrefix={`edit-${e.id}`}
          initial={{ url: e.url, description: e.description, eventTypes: [...e.eventTypes] }}
          eventTypes={props.eventTypes}
          submitLabel="Save changes"
          onCancel={() => setEditing(false)}
          onSubmit={async (draft) => {
            await callApi(path, { method: "PATCH", json: draft });
            setEditing(false);
            await props.act("edit", () => Promise.resolve(`${draft.url} saved.`));
          }}
        />
      )}
    </li>
  );
}

/**
 * The admin console: alerts with what to do, processing figures, systems with what their status
 * means, webhook endpoints to add, edit, disable, rotate, test and delete, deliveries with filters
 * and their detail (request, every attempt and response), dead letters to replay, and the audit
 * log; refreshes itself.
 */
export default function AdminConsole(props: AdminConsoleProps) {
  const [data, setData] = useState<ConsoleData>(props.initial);
  const [connection, setConnection] = useState<Connection>("open");
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const [adding, setAdding] = useState(props.initial.endpoints.length === 0);
  const [secret, setSecret] = useState<{ url: string; secret: string } | null>(null);
  const [filter, setFilter] = useState<{ endpoint: string; status: string; time: TimeFilter }>({
    endpoint: "",
    status: "",
    time: "any",
  });
  const [endpointRows, setEndpointRows] = useState<ConsoleDelivery[] | null>(null);
  const [detail, setDetail] = useState<DeliveryDetail | null>(null);

  async function refresh(): Promise<void> {
    try {
      const next = await callApi<ConsoleData>("/console");
      setData(next);
      setConnection("open");
    } catch {
      setConnection("closed");
    }
  }

  async function loadEndpointRows(): Promise<void> {
    if (!filter.endpoint) return setEndpointRows(null);
    const url = data.endpoints.find((e) => e.id === filter.endpoint)?.url ?? "";
    const query = `?limit=100${filter.status ? `&status=${filter.status}` : ""}`;
    const { deliveries } = await callApi<{ deliveries: (DeliveryDetail & ConsoleDelivery)[] }>(
      `/webhooks/${filter.endpoint}/deliveries${query}`,
    ).catch(() => ({ deliveries: [] }));
    setEndpointRows(deliveries.map((d) => ({ ...d, url })));
  }

  async function act(label: string, run: () => Promise<string>): Promise<void> {
    try {
      setNotice({ ok: true, text: await run() });
    } catch (e) {
      setNotice({ ok: false, text: `${label}: ${e instanceof Error ? e.message : String(e)}` });
    }
    await refresh();
  }

  async function replay(delivery: ConsoleDelivery): Promise<void> {
    await act("Replay", async () => {
      await callApi(`/webhooks/${delivery.endpointId}/deliveries/${delivery.id}/replay`, {
        method: "POST",
      });
      return `Delivery ${delivery.id} queued again.`;
    });
  }

  async function showDetail(delivery: ConsoleDelivery): Promise<void> {
    try {
      setDetail(
        await callApi<DeliveryDetail>(
          `/webhooks/${delivery.endpointId}/deliveries/${delivery.id}`,
        ),
      );
    } catch (e) {
      setNotice({ ok: false, text: e instanceof Error ? e.message : String(e) });
    }
  }

  useEffect(() => {
    const timer = setInterval(refresh, props.refreshMs);
    return () => clearInterval(timer);
  }, []);

  useEffect(() => {
    loadEndpointRows();
  }, [filter.endpoint, filter.status, data]);

  const { health } = data;
  const now = Date.parse(health.generatedAt);
  const rows = (endpointRows ?? data.recentDeliveries).filter((d) =>
    (!filter.status || d.status === filter.status) &&
    now - Date.parse(d.createdAt) <= TIME_WINDOWS[filter.time]
  );
  const detailUrl = detail ? data.endpoints.find((e) => e.id === detail.endpointId)?.url ?? "" : "";
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
      {notice && (
        <p
          class={`alert ${notice.ok ? "alert-success" : ""}`}
          role={notice.ok ? "status" : "alert"}
          data-testid="console-notice"
        >
          {notice.text}
        </p>
      )}
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
      <section aria-labelledby="endpoints-heading" class="card stack">
        <div class="card-header">
          <h2 id="endpoints-heading">Webhook endpoints</h2>
          {!adding && (
            <button
              class="button button-small"
              type="button"
              onClick={() => setAdding(true)}
            >
              Add endpoint
            </button>
          )}
        </div>
        {secret && (
          <div class="alert alert-success stack" data-testid="endpoint-secret">
            <p>
              Signing secret for <code class="wrap-anywhere">{secret.url}</code>{" "}
              — copy it now, it is shown only once:
            </p>
            <pre class="secret"><code>{secret.secret}</code></pre>
            <button
              class="button button-secondary button-small"
              type="button"
              onClick={() => setSecret(null)}
            >
              I have copied it
            </button>
          </div>
        )}
        {adding && (
          <EndpointForm
            idPrefix="new-endpoint"
            initial={{ url: "", description: "", eventTypes: ["*"] }}
            eventTypes={props.eventTypes}
            submitLabel="Add endpoint"
            onCancel={data.endpoints.length > 0 ? () => setAdding(false) : undefined}
            onSubmit={async (draft) => {
              const created = await callApi<{ url: string; secret: string }>("/webhooks", {
                method: "POST",
                json: draft,
              });
              setSecret({ url: created.url, secret: created.secret });
              setAdding(false);
              await act("add", () => Promise.resolve(`${created.url} added.`));
            }}
          />
        )}
        {data.endpoints.length === 0
          ? !adding && <p class="empty">No endpoints yet.</p>
          : (
            <ul class="stack endpoint-list" data-testid="endpoints">
              {data.endpoints.map((e) => (
                <EndpointRow
                  key={e.id}
                  endpoint={e}
                  health={health.webhooks.endpoints.find((h) => h.id === e.id)}
                  eventTypes={props.eventTypes}
                  act={act}
                  onSecret={setSecret}
                />
              ))}
            </ul>
          )}
      </section>
      <section aria-labelledby="dead-heading" class="card">
        <div class="card-header">
          <h2 id="dead-heading">Dead letters</h2>
        </div>
        <DeliveryTable
          rows={data.deadLetters}
          onReplay={replay}
          onDetail={showDetail}
          testid="dead-letters"
        />
      </section>
      <section aria-labelledby="deliveries-heading" class="card stack">
        <div class="card-header">
          <h2 id="deliveries-heading">Deliveries</h2>
        </div>
        <div class="filters" role="group" aria-label="Filter deliveries">
          <label>
            Endpoint
            <select
              data-testid="filter-endpoint"
              value={filter.endpoint}
              onChange={(e) => setFilter({ ...filter, endpoint: e.currentTarget.value })}
            >
              <option value="">All endpoints</option>
              {data.endpoints.map((e) => <option key={e.id} value={e.id}>{e.url}</option>)}
            </select>
          </label>
          <label>
            Status
            <select
              data-testid="filter-status"
              value={filter.status}
              onChange={(e) => setFilter({ ...filter, status: e.currentTarget.value })}
            >
              <option value="">Any status</option>
              <option value="pending">pending</option>
              <option value="delivering">delivering</option>
              <option value="succeeded">succeeded</option>
              <option value="dead">dead</option>
            </select>
          </label>
          <label>
            Created
            <select
              data-testid="filter-time"
              value={filter.time}
              onChange={(e) => setFilter({ ...filter, time: e.currentTarget.value as TimeFilter })}
            >
              <option value="any">Any time</option>
              <option value="1h">Last hour</option>
              <option value="24h">Last 24 hours</option>
              <option value="7d">Last 7 days</option>
            </select>
          </label>
        </div>
        {detail && (
          <DeliveryDetailPanel
            detail={detail}
            url={detailUrl}
            onClose={() => setDetail(null)}
          />
        )}
        <DeliveryTable
          rows={rows}
          onDetail={showDetail}
          testid="recent-deliveries"
          empty={filter.endpoint || filter.status || filter.time !== "any"
            ? "No delivery matches these filters."
            : "None yet."}
        />
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
    </div>
  );
}
