/** The admin console's webhook endpoints: the add/edit form and one row with its actions and deliveries. */
import { useState } from "preact/hooks";
import type { ConsoleData } from "../../lib/health/console_data.ts";
import type { EndpointView } from "../../lib/webhooks/endpoint_store.ts";
import { callApi, percent, Status, time } from "./console_parts.tsx";

/** What the endpoint form edits. */
export interface EndpointDraft {
  url: string;
  description: string;
  eventTypes: string[];
}

/** The add/edit form of a webhook endpoint: URL, description and event types. */
export function EndpointForm(
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

/** How far back the delivery filter looks. */
export type TimeFilter = "any" | "1h" | "24h" | "7d";
/** Milliseconds of each delivery time filter. */
export const TIME_WINDOWS: Record<TimeFilter, number> = {
  any: Infinity,
  "1h": 3_600_000,
  "24h": 86_400_000,
  "7d": 7 * 86_400_000,
};

/** One webhook endpoint with its figures, actions and filtered deliveries. */
export function EndpointRow(
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
