/**
 * The domain's errors: what failed, in a sentence a caller may show, and its kind. Domain and store
 * code throws these; `lib/http/error_mapping.ts` maps each kind to an HTTP status in one place, so
 * nothing here knows about HTTP.
 */
import type { z } from "zod";

/** One invalid input field: where it is and what is wrong with it. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** What kind of failure a `DomainError` is (each kind has one HTTP status). */
export type DomainErrorKind =
  | "invalid"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "too_large"
  | "too_many_requests"
  | "contention";

/** A failure the domain names: its kind, a sentence-case message and details for the caller. */
export class DomainError extends Error {
  /** What kind of failure this is. */
  readonly kind: DomainErrorKind;
  /** Structured details sent with the message (e.g. each invalid field). */
  readonly details: Readonly<Record<string, unknown>>;

  /** Creates an error of `kind` with a message the caller may see. */
  constructor(
    kind: DomainErrorKind,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.kind = kind;
    this.details = options.details ?? {};
  }
}

/** The input is invalid; `issues` (when given) names each bad field. */
export class InvalidInputError extends DomainError {
  /** Creates the error; `issues` are sent as `details.issues`. */
  constructor(message: string, options: { issues?: FieldIssue[]; cause?: unknown } = {}) {
    super("invalid", message, {
      cause: options.cause,
      ...(options.issues ? { details: { issues: options.issues } } : {}),
    });
  }
}

/** The caller's credentials are missing or wrong. */
export class UnauthorizedError extends DomainError {
  /** Creates the error. */
  constructor(message: string) {
    super("unauthorized", message);
  }
}

/** The caller is known but may not do this. */
export class ForbiddenError extends DomainError {
  /** Creates the error. */
  constructor(message: string) {
    super("forbidden", message);
  }
}

/** What the request names does not exist (or is not the caller's to see). */
export class NotFoundError extends DomainError {
  /** Creates the error. */
  constructor(message: string) {
    super("not_found", message);
  }
}

/** The request contradicts what is stored (a taken name, a limit reached, a changed record). */
export class ConflictError extends DomainError {
  /** Creates the error. */
  constructor(message: string) {
    super("conflict", message);
  }
}

/** The request is larger than a limit allows. */
export class PayloadTooLargeError extends DomainError {
  /** Creates the error. */
  constructor(message: string) {
    super("too_large", message);
  }
}

/** The caller must wait; `retryAfterSeconds` (when known) says how long. */
export class TooManyRequestsError extends DomainError {
  /** Creates the error; `retryAfterSeconds` is sent as `details.retryAfterSeconds`. */
  constructor(message: string, options: { retryAfterSeconds?: number } = {}) {
    super(
      "too_many_requests",
      message,
      options.retryAfterSeconds === undefined
        ? {}
        : { details: { retryAfterSeconds: options.retryAfterSeconds } },
    );
  }
}

/**
 * A checked commit kept failing because other writers kept changing what it read (see
 * `commitWithRetry`). An internal failure: callers see a generic error, operators the message.
 */
export class ContentionError extends DomainError {
  /** Creates the error for a write that could not `what` (e.g. "update the profile"). */
  constructor(what: string, options: { attempts: number }) {
    super("contention", `Could not ${what}: too much contention (${options.attempts} attempts)`);
  }
}

/** Formats a zod issue path as `events[3].eventData.completionStatus`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out === "" ? "(body)" : out;
}

/** Converts zod issues into field issues, each path prefixed by `prefix`. */
export function fieldIssues(
  error: z.ZodError,
  prefix: readonly PropertyKey[] = [],
): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: formatPath([...prefix, ...issue.path]),
    message: issue.message,
  }));
}

/** An `InvalidInputError` for an invalid `what`, its message naming the first issue. */
export function invalidInput(what: string, issues: FieldIssue[]): InvalidInputError {
  const first = issues[0];
  const summary = first ? `: ${first.path}: ${first.message}` : "";
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
  return new InvalidInputError(`Invalid ${what}${summary}${more}`, { issues });
}
