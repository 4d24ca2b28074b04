import assert from "node:assert/strict";
import { signatureProblem } from "./signature.ts";

const statement = {
  id: "6e1c4a8e-0b8e-4c3f-9a39-3a0c2c7b1d11",
  actor: { mbox: "mailto:ada@example.org" },
  verb: { id: "http://adlnet.gov/expapi/verbs/completed" },
  object: { id: "http://example.org/a" },
};
const attachment = { contentType: "application/octet-stream" };

function jws(header: unknown, payload: string): Uint8Array {
  const b64 = (text: string) =>
    btoa(text).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
  return new TextEncoder().encode(`${b64(JSON.stringify(header))}.${b64(payload)}.c2ln`);
}

Deno.test("signatureProblem accepts an RS256/384/512 JWS whose payload is the statement", () => {
  for (const alg of ["RS256", "RS384", "RS512"]) {
    assert.equal(
      signatureProblem(statement, attachment, jws({ alg }, JSON.stringify(statement))),
      null,
    );
  }
});

Deno.test("signatureProblem names what is wrong with a signature", () => {
  const good = jws({ alg: "RS256" }, JSON.stringify(statement));
  assert.match(signatureProblem(statement, { contentType: "text/plain" }, good)!, /octet-stream/);
  assert.match(
    signatureProblem(statement, attachment, jws({ alg: "HS256" }, JSON.stringify(statement)))!,
    /RS256/,
  );
  assert.match(
    signatureProblem(statement, attachment, jws({ alg: "RS256" }, "{'broken"))!,
    /not valid JSON/,
  );
  assert.match(
    signatureProblem(statement, attachment, new TextEncoder().encode("not a jws"))!,
    /compact/,
  );
  const other = { ...statement, verb: { id: "http://adlnet.gov/expapi/verbs/failed" } };
  assert.match(
    signatureProblem(statement, attachment, jws({ alg: "RS256" }, JSON.stringify(other)))!,
    /differs/,
  );
});
