/** The admin console's delivery tables and the detail of one delivery. */
import type { ConsoleDelivery } from "../../lib/health/console_data.ts";
import type { DeliveryAttempt } from "../../lib/webhooks/delivery_store.ts";
import { seconds, Status, time } from "./console_parts.tsx";

/** One delivery as the console shows it: request, payload and every attempt. */
export interface DeliveryDetail {
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

/** The detail of one delivery: its request, payload and every attempt with the response. */
export function DeliveryDetailPanel(
  props: { detail: DeliveryDetail; url: string; onClose: () => void },
) {
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

/** A table of deliveries with detail and replay buttons. */
export function DeliveryTable(
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
