import { toasts } from "../lib/live/live_client.ts";

/** Toasts from the live stream (achievements earned and the like), announced politely to screen readers. */
export default function LiveToasts() {
  return (
    <div class="toasts" role="status" aria-live="polite" data-testid="toasts">
      {toasts.value.map((toast) => (
        <div key={toast.id} class={`toast toast-${toast.kind}`} data-toast-id={toast.id}>
          <div>
            <p class="toast-title">{toast.title}</p>
            <p class="toast-body">{toast.body}</p>
          </div>
        </div>
      ))}
    </div>
  );
}
