import assert from "node:assert/strict";
import { ChunkedDecoder, ResponseParser, SseParser, SseResponseParser } from "./http_parse.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (parts: Uint8Array[]) => parts.map((p) => new TextDecoder().decode(p)).join("");

/** Feeds `text` one byte at a time and collects what each call returns. */
function byteByByte<T>(text: string, feed: (b: Uint8Array) => T[]): T[] {
  const bytes = enc(text);
  const out: T[] = [];
  for (let i = 0; i < bytes.length; i++) out.push(...feed(bytes.subarray(i, i + 1)));
  return out;
}

Deno.test("ChunkedDecoder joins chunks split anywhere and stops at the zero chunk", () => {
  const decoder = new ChunkedDecoder();
  const parts = byteByByte(
    "5\r\nhello\r\n1;ext=1\r\n \r\n6\r\nworld!\r\n0\r\n\r\nNEXT",
    (b) => decoder.feed(b),
  );
  assert.equal(dec(parts), "hello world!");
  assert.ok(decoder.done);
  assert.equal(new TextDecoder().decode(decoder.leftover()), "NEXT");
});

Deno.test("ResponseParser splits keep-alive responses with Content-Length and chunked bodies", () => {
  const parser = new ResponseParser();
  const wire =
    "HTTP/1.1 202 Accepted\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}" +
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n" +
    "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n";
  const responses = byteByByte(wire, (b) => parser.feed(b));
  assert.deepEqual(responses.map((r) => r.status), [202, 200, 404]);
  assert.equal(responses[0]!.headers.get("content-type"), "application/json");
  assert.deepEqual(responses.map((r) => new TextDecoder().decode(r.body)), ["{}", "abc", ""]);
});

Deno.test("ResponseParser returns several responses fed at once", () => {
  const parser = new ResponseParser();
  const one = "HTTP/1.1 202 Accepted\r\ncontent-length: 1\r\n\r\nx";
  assert.equal(parser.feed(enc(one + one + one)).length, 3);
});

Deno.test("SseParser dispatches events on blank lines, joins data lines and reports comments", () => {
  const parser = new SseParser();
  const items = byteByByte(
    ': connected\n\nid: 7\r\nevent: progress_update\r\ndata: {"a":1}\r\ndata:2\r\n\r\ndata: plain\n\n',
    (b) => parser.feed(b),
  );
  assert.deepEqual(items, [
    { kind: "comment", text: "connected" },
    { kind: "event", event: "progress_update", data: '{"a":1}\n2', id: "7" },
    { kind: "event", event: "message", data: "plain", id: "7" },
  ]);
});

Deno.test("SseParser keeps multi-byte characters split across reads intact", () => {
  const parser = new SseParser();
  const items = byteByByte("data: é✓\n\n", (b) => parser.feed(b));
  assert.deepEqual(items, [{ kind: "event", event: "message", data: "é✓", id: null }]);
});

Deno.test("SseResponseParser reads the head, then de-chunks and parses the stream", () => {
  const parser = new SseResponseParser();
  const body = ": hi\n\nevent: x\ndata: 1\n\n";
  const wire =
    "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n" +
    `${body.length.toString(16)}\r\n${body}\r\n`;
  const items = byteByByte(wire, (b) => parser.feed(b).items);
  assert.equal(parser.head?.status, 200);
  assert.deepEqual(items, [
    { kind: "comment", text: "hi" },
    { kind: "event", event: "x", data: "1", id: null },
  ]);
});
