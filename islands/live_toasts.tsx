import { useEffect } from "preact/hooks";
import { connectLive, dismissToast, toasts } from "../lib/browser/live_client.ts";

/** Props of the toast region: where the page's live stream resumes (shared with the page's other islands). */
export interface LiveToastsProps {
  liveCursor: string | null;
}

/**
 * Toasts from the live stream (achievements earned and the like), announced politely to screen
 * readers; each links to what it announces and can be dismissed. It opens the tab's live
 * connection on every signed-in page, so an achievement earned on any page shows at once.
 */
export default function LiveToasts(props: LiveToastsProps) {
  useEffect(() => {
    connectLive({ liveCursor: props.liveCursor });
  }, []);
  return (
    <div class="toasts" role="status" aria-live="polite" data-testid="toasts">
      {toasts.value.map((toast) => (
        <div key={toast.id} class={`toast toast-${toast.kind}`} data-toast-id={toast.id}>
          <div class="toast-text">
            <p class="toast-title">
              {toast.href
                ? (
                  <a
                    href={toast.href}
                    onClick={() => dismissToast(toast.id)}
                  >
                    {toast.title}
                  </a>
                )
                : toast.title}
            </p>
            <p class="toast-body">{toast.body}</p>
          </div>
          <button
            type="button"
            class="toast-close"
            aria-label={`Dismiss: ${toast.title}`}
            data-testid="toast-dismiss"
            onClick={() =>
              dismissToast(toast.id)}
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
