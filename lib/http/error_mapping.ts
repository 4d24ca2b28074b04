import { DomainError, type DomainErrorKind } from "../errors.ts";
import { HttpError } from "./http_error.ts";

/** The HTTP status of each kind of domain error: the one place domain errors meet HTTP. */
export const STATUS_OF_KIND: Readonly<Record<DomainErrorKind, number>> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  too_many_requests: 429,
  contention: 500,
};

/**
 * The response an error stands for: an `HttpError` as it is, a `DomainError` with its kind's
 * status, message and details; null for anything else (an internal failure, answered with a
 * generic 500 whose cause is logged, not sent). A domain error whose status is 5xx is internal too.
 */
export function toHttpError(error: unknown): HttpError | null {
  if (error instanceof HttpError) return error;
  if (!(error instanceof DomainError)) return null;
  const status = STATUS_OF_KIND[error.kind];
  if (status >= 500) return null;
  return new HttpError(status, error.message, { cause: error, details: { ...error.details } });
}
