import assert from "node:assert/strict";
import { ContentionError, DomainError, invalidInput, InvalidInputError } from "./errors.ts";

Deno.test("domain errors keep their kind, class name and details", () => {
  const error = invalidInput("query", [{ path: "from", message: "Not a date" }]);
  assert.ok(error instanceof InvalidInputError && error instanceof DomainError);
  assert.equal(error.kind, "invalid");
  assert.equal(error.name, "InvalidInputError");
  assert.equal(error.message, "Invalid query: from: Not a date");
  assert.deepEqual(error.details, { issues: [{ path: "from", message: "Not a date" }] });
  assert.deepEqual(new InvalidInputError("Invalid x").details, {});
  assert.match(
    new ContentionError("store events", { attempts: 4 }).message,
    /Could not store events/,
  );
});
