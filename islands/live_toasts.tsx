import { useEffect } from "preact/hooks";
import { connectLive, toasts } from "../lib/live/live_client.ts";

/** Props of the toast region: where the page's live stream resumes (shared with the page's other islands). */
export interface LiveToastsProps {
  liveCursor: string | null;
}

/**
 * Toasts from the live stream (achievements earned and the like), announced politely to screen
 * readers. It opens the tab's live connection on every signed-in page, so an achievement earned
 * while the student is on any page shows at once.
 */
export default function LiveToasts(props: LiveToastsProps) {
  useEffect(() => {
    connectLive({ liveCursor: props.liveCursor });
  }, []);
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
