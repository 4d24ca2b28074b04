import { useEffect, useState } from "preact/hooks";
import type { ConsoleData, ConsoleDelivery } from "../lib/health/console_data.ts";
import { callApi, time } from "./admin/console_parts.tsx";
import { AlertsPanel, AuditPanel, ProcessingPanel, SystemsPanel } from "./admin/health_panels.tsx";
import {
  type DeliveryDetail,
  DeliveryDetailPanel,
  DeliveryTable,
} from "./admin/delivery_panels.tsx";
import {
  EndpointForm,
  EndpointRow,
  TIME_WINDOWS,
  type TimeFilter,
} from "./admin/endpoint_rows.tsx";

/** Props of the admin console: the server-rendered data it starts from, and how often to refresh. */
export interface AdminConsoleProps {
  initial: ConsoleData;
  /** Milliseconds between refreshes. */
  refreshMs: number;
  /** The event types an endpoint may subscribe to (besides "*", every type). */
  eventTypes: string[];
}

type Connection = "open" | "connecting" | "closed";

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
      <AlertsPanel health={health} />
      <ProcessingPanel health={health} />
      <SystemsPanel health={health} />
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
      <AuditPanel audit={data.audit} />
    </div>
  );
}
