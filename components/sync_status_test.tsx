import assert from "node:assert/strict";
import { render } from "preact-render-to-string";
import type { SyncView } from "../lib/browser/sync_engine.ts";
import { SyncStatus } from "./sync_status.tsx";

function view(overrides: Partial<SyncView>): SyncView {
  return {
    mode: "account",
    bootstrapping: false,
    syncing: false,
    online: true,
    counts: { local: 1, syncing: 0, synced: 3, error: 0 },
    pending: 1,
    lastSyncedAt: "2026-12-02T10:00:00Z",
    lastError: null,
    needsManualRetry: false,
    nextRetryAt: null,
    storageError: null,
    guestEvents: 0,
    ...overrides,
  };
}

const NOW = Date.parse("2026-12-02T10:01:00Z");

Deno.test("SyncStatus offline says the changes wait on this device, claims no freshness and disables Sync now", () => {
  const html = render(
    <SyncStatus view={view({ online: false })} now={NOW} onSync={() => {}} onRetry={() => {}} />,
  );
  assert.match(html, /Offline — saved on this device/);
  assert.match(
    html,
    /1<\/strong> change on this device, waiting to sync until you are back online/,
  );
  assert.doesNotMatch(html, /Up to date/);
  assert.match(html, /<button[^>]*data-testid="sync-now"[^>]*disabled/);
});

Deno.test("SyncStatus online keeps Sync now enabled and shows freshness", () => {
  const html = render(
    <SyncStatus view={view({})} now={NOW} onSync={() => {}} onRetry={() => {}} />,
  );
  assert.match(html, /not yet on the server/);
  assert.match(html, /Up to date/);
  assert.doesNotMatch(html, /<button[^>]*data-testid="sync-now"[^>]*disabled/);
});
