/**
 * `multipart/mixed` as xAPI uses it for attachments (xAPI 1.0.3 §2.4.11): the statements first
 * (JSON), then one part per attachment, named by its `X-Experience-API-Hash`. Pure byte handling.
 */

/** One part: its headers (names lower-cased) and its bytes. */
export interface MultipartPart {
  headers: Record<string, string>;
  body: Uint8Array;
}

const encoder = new TextEncoder();

/** The `boundary` parameter of a `multipart/*` content type, or null. */
export function boundaryOf(contentType: string): string | null {
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match ? (match[1] ?? match[2] ?? null) : null;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  outer: for (let i = from; i <= haystack.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function parseHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) {
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
  }
  return headers;
}

/** The parts of a multipart body, or null when it is not well formed for `boundary`. */
export function parseMultipart(body: Uint8Array, boundary: string): MultipartPart[] | null {
  const delimiter = encoder.encode(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let at = indexOf(body, delimiter, 0);
  if (at === -1) return null;
  while (true) {
    let start = at + delimiter.length;
    if (body[start] === 45 && body[start + 1] === 45) return parts; // "--": the closing delimiter
    if (body[start] === 13 && body[start + 1] === 10) start += 2;
    const next = indexOf(body, encoder.encode(`\r\n--${boundary}`), start);
    if (next === -1) return null;
    const part = body.subarray(start, next);
    const noHeaders = part[0] === 13 && part[1] === 10;
    const split = noHeaders ? 0 : indexOf(part, encoder.encode("\r\n\r\n"), 0);
    if (split === -1) return null;
    parts.push({
      headers: noHeaders ? {} : parseHeaders(new TextDecoder().decode(part.subarray(0, split))),
      body: part.subarray(noHeaders ? 2 : split + 4),
    });
    at = next + 2;
  }
}

/** A multipart/mixed body of `parts` and its content type (with a fresh boundary). */
export function buildMultipart(
  parts: readonly MultipartPart[],
): { body: Uint8Array<ArrayBuffer>; contentType: string } {
  const boundary = `xapi-${crypto.randomUUID()}`;
  const chunks: Uint8Array[] = [];
  for (const part of parts) {
    const headers = Object.entries(part.headers).map(([k, v]) => `${k}: ${v}\r\n`).join("");
    chunks.push(
      encoder.encode(`--${boundary}\r\n${headers}\r\n`),
      part.body,
      encoder.encode("\r\n"),
    );
  }
  chunks.push(encoder.encode(`--${boundary}--\r\n`));
  const body = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.length;
  }
  return { body, contentType: `multipart/mixed; boundary=${boundary}` };
}
