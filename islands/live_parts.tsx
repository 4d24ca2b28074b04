import { useEffect, useRef } from "preact/hooks";
import {
  awardsEarned,
  CONNECTION_LABEL,
  connectLive,
  overallProgress,
  useConnectionState,
} from "../lib/browser/live_client.ts";
import { refreshLiveParts } from "../lib/browser/live_parts.ts";

/** Props of the live parts refresher: where the page's live stream resumes. */
export interface LivePartsProps {
  liveCursor: string | null;
}

/**
 * Keeps a server-rendered page live without moving its logic to the browser: whenever the live
 * stream reports progress or an achievement, it fetches the page again and refreshes the parts
 * marked `data-live-part` (counts, badges, lists), one fetch at a time. Shows the connection.
 */
export default function LiveParts(props: LivePartsProps) {
  const state = useRef({ running: false, again: false });
  const awards = awardsEarned.value.length;
  const progress = overallProgress.value;

  async function refresh(): Promise<void> {
    if (state.current.running) {
      state.current.again = true;
      return;
    }
    state.current.running = true;
    try {
      do {
        state.current.again = false;
        const response = await fetch(location.pathname + location.search, {
          headers: { accept: "text/html" },
        });
        if (!response.ok) return;
        const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
        refreshLiveParts(document, fresh);
      } while (state.current.again);
    } catch {
      // Offline: the page stays as it is until the next update.
    } finally {
      state.current.running = false;
    }
  }

  useEffect(() => {
    connectLive({ liveCursor: props.liveCursor });
  }, []);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    refresh();
  }, [awards, progress]);
  const connectionState = useConnectionState();
  return (
    <span class="live-status" data-state={connectionState} data-testid="live-status">
      {CONNECTION_LABEL[connectionState]}
    </span>
  );
}
