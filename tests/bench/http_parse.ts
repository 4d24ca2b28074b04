/** Incremental HTTP/1.1 response, chunked-body and Server-Sent Events parsers for the bench clients. */

const CRLF_CRLF = [13, 10, 13, 10];

/** A growable byte buffer read from the front. */
class ByteQueue {
  #buf = new Uint8Array(0);
  #start = 0;

  get length(): number {
    return this.#buf.length - this.#start;
  }

  push(bytes: Uint8Array): void {
    const rest = this.#buf.subarray(this.#start);
    const next = new Uint8Array(rest.length + bytes.length);
    next.set(rest, 0);
    next.set(bytes, rest.length);
    this.#buf = next;
    this.#start = 0;
  }

  /** Index (relative to the front) of the first occurrence of `needle`, or -1. */
  indexOf(needle: readonly number[], from = 0): number {
    const buf = this.#buf;
    const end = buf.length - needle.length;
    outer: for (let i = this.#start + from; i <= end; i++) {
      for (let j = 0; j < needle.length; j++) {
        if (buf[i + j] !== needle[j]) continue outer;
      }
      return i - this.#start;
    }
    return -1;
  }

  take(n: number): Uint8Array {
    const out = this.#buf.slice(this.#start, this.#start + n);
    this.#start += n;
    return out;
  }

  takeAll(): Uint8Array {
    return this.take(this.length);
  }
}

const latin1 = new TextDecoder("latin1");

/** Incrementally decodes a `Transfer-Encoding: chunked` body. */
export class ChunkedDecoder {
  #queue = new ByteQueue();
  #remaining = -1; // bytes left in the current chunk; -1 = expecting a size line
  #needCrlf = false;
  #inTrailer = false;
  #done = false;

  /** True once the terminating zero-size chunk has been read. */
  get done(): boolean {
    return this.#done;
  }

  /** Feeds raw bytes; returns the body bytes they complete (possibly empty). */
  feed(bytes: Uint8Array): Uint8Array[] {
    if (bytes.length > 0) this.#queue.push(bytes);
    const out: Uint8Array[] = [];
    const q = this.#queue;
    while (!this.#done) {
      if (this.#inTrailer) {
        const eol = q.indexOf([13, 10]);
        if (eol < 0) break;
        q.take(eol + 2);
        if (eol === 0) this.#done = true;
        continue;
      }
      if (this.#needCrlf) {
        if (q.length < 2) break;
        q.take(2);
        this.#needCrlf = false;
        continue;
      }
      if (this.#remaining < 0) {
        const eol = q.indexOf([13, 10]);
        if (eol < 0) break;
        const line = latin1.decode(q.take(eol + 2)).trim();
        const size = parseInt(line.split(";")[0]!, 16);
        if (!Number.isFinite(size) || size < 0) throw new Error(`Bad chunk size line: ${line}`);
        if (size === 0) {
          this.#inTrailer = true;
          continue;
        }
        this.#remaining = size;
        continue;
      }
      if (q.length === 0) break;
      const n = Math.min(this.#remaining, q.length);
      out.push(q.take(n));
      this.#remaining -= n;
      if (this.#remaining === 0) {
        this.#remaining = -1;
        this.#needCrlf = true;
      }
    }
    return out;
  }

  /** Bytes fed after the end of the body (the start of the next response). */
  leftover(): Uint8Array {
    return this.#done ? this.#queue.takeAll() : new Uint8Array(0);
  }
}

/** The status line and headers of a response. */
export interface ResponseHead {
  status: number;
  /** Header names lower-cased. */
  headers: Map<string, string>;
}

/** Parses a response head (without the final blank line). */
export function parseHead(text: string): ResponseHead {
  const lines = text.split("\r\n");
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? "");
  if (!match) throw new Error(`Bad status line: ${lines[0]}`);
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon > 0) {
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
  }
  return { status: Number(match[1]), headers };
}

/** A complete response. */
export interface ParsedResponse extends ResponseHead {
  body: Uint8Array;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Incrementally parses a keep-alive connection's responses (Content-Length or chunked bodies;
 * responses without either are taken as empty, as our servers never close-delimit).
 */
export class ResponseParser {
  #queue = new ByteQueue();
  #head: ResponseHead | null = null;
  #contentLength = 0;
  #chunked: ChunkedDecoder | null = null;
  #parts: Uint8Array[] = [];

  /** Feeds bytes; returns every response they complete, in order. */
  feed(bytes: Uint8Array): ParsedResponse[] {
    if (bytes.length > 0) this.#queue.push(bytes);
    const out: ParsedResponse[] = [];
    for (;;) {
      const q = this.#queue;
      if (!this.#head) {
        const end = q.indexOf(CRLF_CRLF);
        if (end < 0) return out;
        this.#head = parseHead(latin1.decode(q.take(end)));
        q.take(4);
        const te = this.#head.headers.get("transfer-encoding") ?? "";
        this.#chunked = /chunked/i.test(te) ? new ChunkedDecoder() : null;
        this.#contentLength = Number(this.#head.headers.get("content-length") ?? 0);
        this.#parts = [];
      }
      if (this.#chunked) {
        this.#parts.push(...this.#chunked.feed(q.takeAll()));
        if (!this.#chunked.done) return out;
        const rest = this.#chunked.leftover();
        if (rest.length > 0) q.push(rest);
      } else {
        if (q.length < this.#contentLength) return out;
        this.#parts.push(q.take(this.#contentLength));
      }
      out.push({ ...this.#head, body: concat(this.#parts) });
      this.#head = null;
      this.#chunked = null;
      this.#parts = [];
    }
  }
}

/** One dispatched Server-Sent Event (or a comment line). */
export type SseItem =
  | { kind: "event"; event: string; data: string; id: string | null }
  | { kind: "comment"; text: string };

/** Incrementally parses an SSE body (already de-chunked) into events and comments, per the WHATWG rules we need. */
export class SseParser {
  #decoder = new TextDecoder();
  #pending = "";
  #event = "";
  #data: string[] = [];
  #id: string | null = null;

  /** Feeds body bytes; returns the events and comments they complete. */
  feed(bytes: Uint8Array): SseItem[] {
    this.#pending += this.#decoder.decode(bytes, { stream: true });
    const out: SseItem[] = [];
    for (;;) {
      const nl = this.#pending.search(/\r\n|\r|\n/);
      if (nl < 0) break;
      // A lone CR at the end may be the first half of CRLF: wait for more.
      if (this.#pending[nl] === "\r" && nl === this.#pending.length - 1) break;
      const width = this.#pending.startsWith("\r\n", nl) ? 2 : 1;
      const line = this.#pending.slice(0, nl);
      this.#pending = this.#pending.slice(nl + width);
      this.#line(line, out);
    }
    return out;
  }

  #line(line: string, out: SseItem[]): void {
    if (line === "") {
      if (this.#data.length > 0) {
        out.push({
          kind: "event",
          event: this.#event || "message",
          data: this.#data.join("\n"),
          id: this.#id,
        });
      }
      this.#event = "";
      this.#data = [];
      return;
    }
    if (line.startsWith(":")) {
      out.push({ kind: "comment", text: line.slice(1).trimStart() });
      return;
    }
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") this.#event = value;
    else if (field === "data") this.#data.push(value);
    else if (field === "id" && !value.includes("\0")) this.#id = value;
  }
}

/** What an SSE response's bytes produced so far. */
export interface SseFeedResult {
  /** Set on the call that completes the response head. */
  head?: ResponseHead;
  items: SseItem[];
}

/** Parses a whole SSE response as it streams in: the head, a chunked (or plain) body, then the events. */
export class SseResponseParser {
  #queue = new ByteQueue();
  #head: ResponseHead | null = null;
  #chunked: ChunkedDecoder | null = null;
  #sse = new SseParser();

  /** The response head once it has arrived. */
  get head(): ResponseHead | null {
    return this.#head;
  }

  /** Feeds raw bytes from the connection. */
  feed(bytes: Uint8Array): SseFeedResult {
    const result: SseFeedResult = { items: [] };
    let body = bytes;
    if (!this.#head) {
      this.#queue.push(bytes);
      const end = this.#queue.indexOf(CRLF_CRLF);
      if (end < 0) return result;
      this.#head = parseHead(latin1.decode(this.#queue.take(end)));
      this.#queue.take(4);
      result.head = this.#head;
      const te = this.#head.headers.get("transfer-encoding") ?? "";
      this.#chunked = /chunked/i.test(te) ? new ChunkedDecoder() : null;
      body = this.#queue.takeAll();
    }
    const parts = this.#chunked ? this.#chunked.feed(body) : [body];
    for (const part of parts) result.items.push(...this.#sse.feed(part));
    return result;
  }
}
