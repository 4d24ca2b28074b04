import assert from "node:assert/strict";
import { Hono } from "hono";
import {
  ConflictError,
  ContentionError,
  DomainError,
  type DomainErrorKind,
  ForbiddenError,
  invalidInput,
  InvalidInputError,
  NotFoundError,
  PayloadTooLargeError,
  TooManyRequestsError,
  UnauthorizedError,
} from "../errors.ts";
import type { AppEnv } from "./app_env.ts";
import { handleError } from "../../routes/_error_handler.ts";
import { STATUS_OF_KIND, toHttpError } from "./error_mapping.ts";
import { HttpError } from "./http_error.ts";

/** Answers `GET /` by throwing `error`, through the app's error handler. */
async function respondTo(error: Error): Promise<Response> {
  const app = new Hono<AppEnv>();
  app.onError(handleError);
  app.get("/api/x", () => {
    throw error;
  });
  return await app.request("/api/x");
}

Deno.test("each domain error answers with its kind's status and the {error, status} body", async () => {
  const cases: [DomainError, number][] = [
    [new InvalidInputError("Invalid statements: send at least one"), 400],
    [new UnauthorizedError("Wrong username or password"), 401],
    [new ForbiddenError("Cannot post events for another user"), 403],
    [new NotFoundError("Conflict not found"), 404],
    [new ConflictError('Username "ada" is already taken'), 409],
    [new PayloadTooLargeError("Batch too large"), 413],
    [new TooManyRequestsError("Too many failed attempts: too many attempts at once"), 429],
  ];
  for (const [error, status] of cases) {
    const response = await respondTo(error);
    assert.equal(response.status, status, error.name);
    assert.match(response.headers.get("content-type") ?? "", /application\/json/);
    assert.deepEqual(await response.json(), { error: error.message, status });
    assert.equal(response.headers.get("retry-after"), null);
  }
});

Deno.test("invalid input carries its issues in the body", async () => {
  const issues = [{ path: "events[0].userId", message: "Required" }, {
    path: "events[1]",
    message: "Bad",
  }];
  const response = await respondTo(invalidInput("batch", issues));
  assert.equal(response.status, 400);
  assert.deepEqual(await response.json(), {
    error: "Invalid batch: events[0].userId: Required (and 1 more)",
    status: 400,
    issues,
  });
});

Deno.test("too many requests with a wait sends retryAfterSeconds and the Retry-After header", async () => {
  const response = await respondTo(
    new TooManyRequestsError("Too many failed attempts: try again in 7 s", {
      retryAfterSeconds: 7,
    }),
  );
  assert.equal(response.status, 429);
  assert.equal(response.headers.get("retry-after"), "7");
  assert.deepEqual(await response.json(), {
    error: "Too many failed attempts: try again in 7 s",
    status: 429,
    retryAfterSeconds: 7,
  });
});

Deno.test("contention and unknown errors are a generic 500 that hides the message", async () => {
  const quiet = console.error;
  console.error = () => {};
  try {
    for (
      const error of [new ContentionError("update the profile", { attempts: 3 }), new Error("x")]
    ) {
      assert.equal(toHttpError(error), null);
      const response = await respondTo(error);
      assert.equal(response.status, 500);
      assert.deepEqual(await response.json(), {
        error: "Internal error: the request could not be completed",
        status: 500,
      });
    }
  } finally {
    console.error = quiet;
  }
});

Deno.test("an HttpError maps to itself; every kind has a status", () => {
  const error = new HttpError(418, "Short and stout");
  assert.equal(toHttpError(error), error);
  const kinds: DomainErrorKind[] = [
    "invalid",
    "unauthorized",
    "forbidden",
    "not_found",
    "conflict",
    "too_large",
    "too_many_requests",
    "contention",
  ];
  assert.deepEqual(Object.keys(STATUS_OF_KIND).sort(), [...kinds].sort());
  for (const kind of kinds) {
    const mapped = toHttpError(new DomainError(kind, "m"));
    if (STATUS_OF_KIND[kind] >= 500) assert.equal(mapped, null);
    else assert.equal(mapped?.status, STATUS_OF_KIND[kind]);
  }
});
