/**
 * Seed 004's sync indicators for the offline-first client: `SyncStatus` (state, pending count,
 * errors with a retry button), `LastUpdatedTimestamp` and `DataFreshness`. Pure components: the
 * learn island passes the engine's view and the current time.
 */
import type { SyncView } from "../lib/browser/sync_engine.ts";
import { timeAgo } from "./format.ts";

/** The one word that sums up sync state. */
export type SyncState = "guest" | "offline" | "syncing" | "error" | "local" | "synced";

/** Sums a sync view up in one state: an error outranks pending work, which outranks synced. */
export function syncStateOf(view: SyncView): SyncState {
  if (view.mode === "guest") return "guest";
  if (view.syncing || view.bootstrapping) return "syncing";
  if (view.counts.error > 0) return "error";
  if (!view.online) return "offline";
  if (view.counts.local > 0 || view.counts.syncing > 0) return "local";
  return "synced";
}

const LABELS: Record<SyncState, string> = {
  guest: "Saved on this device",
  offline: "Offline — saved on this device",
  syncing: "Syncing…",
  error: "Sync failed",
  local: "Waiting to sync",
  synced: "All changes synced",
};

/** "Last synced 5 min ago", with the exact time in a `<time>` element. */
export function LastUpdatedTimestamp(
  props: { timestamp: string | null; now: number; label?: string; testid?: string },
) {
  const label = props.label ?? "Last synced";
  return (
    <span class="muted small" data-testid={props.testid ?? "last-updated"}>
      {label} {props.timestamp
        ? (
          <time dateTime={props.timestamp} title={new Date(props.timestamp).toLocaleString()}>
            {timeAgo(props.timestamp, props.now)}
          </time>
        )
        : "never"}
    </span>
  );
}

/** How fresh data is, coloured: fresh, getting old (after `warningMinutes`), stale (after `errorMinutes`). */
export function DataFreshness(
  props: { timestamp: string | null; now: number; warningMinutes?: number; errorMinutes?: number },
) {
  const { warningMinutes = 60, errorMinutes = 24 * 60 } = props;
  const minutes = props.timestamp === null
    ? Infinity
    : (props.now - Date.parse(props.timestamp)) / 60_000;
  const level = minutes >= errorMinutes ? "stale" : minutes >= warningMinutes ? "aging" : "fresh";
  const text = level === "fresh"
    ? "Up to date"
    : level === "aging"
    ? "Getting old"
    : "Not synced recently";
  return (
    <span class="freshness" data-level={level} data-testid="data-freshness">
      {text}
    </span>
  );
}

/** The sync bar: state, pending count, last synced time, freshness, errors, and the sync/retry buttons. */
export function SyncStatus(
  props: {
    view: SyncView;
    now: number;
    onSync: () => void;
    onRetry: () => void;
    signInHref?: string;
  },
) {
  const { view, now } = props;
  const state = syncStateOf(view);
  return (
    <section class="sync-status" aria-label="Sync status" data-testid="sync-status">
      <div class="cluster sync-status-main">
        <span class="sync-pill" data-state={state} data-testid="sync-state" role="status">
          {LABELS[state]}
        </span>
        {view.mode === "account" && (
          <>
            <span class="muted small" data-testid="sync-pending-text">
              <strong data-testid="sync-pending">{view.pending}</strong>{" "}
              {view.pending === 1 ? "change" : "changes"} {view.online
                ? "not yet on the server"
                : "on this device, waiting to sync until you are back online"}
            </span>
            <LastUpdatedTimestamp timestamp={view.lastSyncedAt} now={now} testid="sync-last" />
            {view.online && <DataFreshness timestamp={view.lastSyncedAt} now={now} />}
            <button
              type="button"
              class="button button-secondary button-small"
              data-testid="sync-now"
              onClick={props.onSync}
              disabled={!view.online || view.syncing || view.bootstrapping}
              title={view.online ? undefined : "You are offline: syncing resumes on its own"}
            >
              Sync now
            </button>
          </>
        )}
        {view.mode === "guest" && (
          <span class="muted small">
            <strong data-testid="sync-pending">{view.pending}</strong>{" "}
            {view.pending === 1 ? "change" : "changes"} on this device.{" "}
            <a href={props.signInHref ?? "/signin?next=/learn"}>Sign in</a>{" "}
            to keep them in your account.
          </span>
        )}
      </div>
      {view.counts.error > 0 && (
        <div class="alert sync-error" role="alert" data-testid="sync-error">
          <span>
            {view.counts.error} {view.counts.error === 1 ? "change" : "changes"} could not be synced
            {view.lastError ? `: ${view.lastError.replace(/\.?$/, ".")}` : "."}{" "}
            {view.needsManualRetry
              ? "Automatic retries stopped."
              : view.nextRetryAt !== null
              ? `Retrying in ${Math.max(1, Math.round((view.nextRetryAt - now) / 1000))} s.`
              : ""}
          </span>
          <button
            type="button"
            class="button button-small"
            data-testid="sync-retry"
            onClick={props.onRetry}
            disabled={view.syncing}
          >
            Retry now
          </button>
        </div>
      )}
      {view.counts.error === 0 && view.lastError && (
        <p class="muted small" data-testid="sync-note">{view.lastError}</p>
      )}
      {view.storageError && (
        <p class="alert" role="alert" data-testid="storage-error">{view.storageError}</p>
      )}
      {view.guestEvents > 0 && view.mode === "account" && (
        <p class="muted small" data-testid="guest-merge">
          Adding {view.guestEvents} {view.guestEvents === 1 ? "change" : "changes"}{" "}
          you made before signing in to your account…
        </p>
      )}
    </section>
  );
}
