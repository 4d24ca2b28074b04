import assert from "node:assert/strict";
import fc from "fast-check";
import { boundaryOf, buildMultipart, parseMultipart } from "./multipart.ts";

Deno.test("parseMultipart reads back what buildMultipart wrote, whatever bytes the parts hold", () => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ maxLength: 200 }), { minLength: 1, maxLength: 5 }),
      (bodies) => {
        const parts = bodies.map((body, i) => ({ headers: { "x-part": String(i) }, body }));
        const built = buildMultipart(parts);
        const parsed = parseMultipart(built.body, boundaryOf(built.contentType)!);
        assert.deepEqual(
          parsed?.map((p) => [p.headers["x-part"], [...p.body]]),
          bodies.map((b, i) => [String(i), [...b]]),
        );
      },
    ),
  );
});

Deno.test("parseMultipart takes headers without a space after the colon and refuses a body without the boundary", () => {
  const body = new TextEncoder().encode(
    "\r\n--b1\r\nContent-Type:application/json\r\n\r\n{}\r\n--b1\r\nX-Experience-API-Hash:abc\r\n\r\nhi\r\n--b1--",
  );
  const parts = parseMultipart(body, "b1")!;
  assert.equal(parts[0]!.headers["content-type"], "application/json");
  assert.equal(new TextDecoder().decode(parts[1]!.body), "hi");
  assert.equal(parts[1]!.headers["x-experience-api-hash"], "abc");
  assert.equal(parseMultipart(body, "other"), null);
  assert.equal(boundaryOf('multipart/mixed; boundary="a b"'), "a b");
  assert.equal(boundaryOf("application/json"), null);
});
