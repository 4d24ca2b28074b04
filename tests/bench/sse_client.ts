/** A raw-TCP Server-Sent Events client (no fetch, so thousands can be open at once). */

import { type ResponseHead, type SseItem, SseResponseParser } from "./http_parse.ts";
import { buildRequest, writeAll } from "./load.ts";

/** An open SSE stream. */
export interface SseClient {
  /** Resolves once the server has sent the head and its first comment or event (the stream is live). */
  ready: Promise<ResponseHead>;
  /** Resolves when the connection ends (closed by either side). */
  closed: Promise<void>;
  close(): void;
}

/** Opens `GET path` as an event stream and calls `onEvent(item, receivedAt)` for each event and comment. */
export async function openSseClient(
  options: {
    hostname?: string;
    port: number;
    path: string;
    headers?: Record<string, string>;
    onItem: (item: SseItem, receivedAt: number) => void;
  },
): Promise<SseClient> {
  const conn = await Deno.connect({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port,
  });
  conn.setNoDelay(true);
  const parser = new SseResponseParser();
  let markReady!: (head: ResponseHead) => void;
  let fail!: (error: Error) => void;
  const ready = new Promise<ResponseHead>((resolve, reject) => {
    markReady = resolve;
    fail = reject;
  });
  ready.catch(() => {});
  let live = false;
  let closedByUs = false;

  async function readLoop(): Promise<void> {
    const buf = new Uint8Array(16 * 1024);
    try {
      for (;;) {
        const n = await conn.read(buf);
        if (n === null) break;
        const at = performance.now();
        const { items } = parser.feed(buf.subarray(0, n));
        const head = parser.head;
        if (head && head.status !== 200) {
          fail(new Error(`SSE request failed with status ${head.status}`));
          break;
        }
        for (const item of items) {
          if (!live && head) {
            live = true;
            markReady(head);
          }
          options.onItem(item, at);
        }
      }
    } catch (error) {
      if (!closedByUs) fail(error instanceof Error ? error : new Error(String(error)));
    } finally {
      if (!live) fail(new Error("SSE connection closed before the stream went live"));
      close();
    }
  }

  function close(): void {
    closedByUs = true;
    try {
      conn.close();
    } catch {
      // already closed
    }
  }

  await writeAll(
    conn,
    buildRequest("GET", options.path, {
      headers: { Accept: "text/event-stream", ...options.headers },
    }),
  );
  const closed = readLoop();
  return { ready, closed, close };
}
