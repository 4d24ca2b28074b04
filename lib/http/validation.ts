import type { z } from "zod";
import { HttpError } from "./http_error.ts";

/** One invalid input field: where it is and what is wrong with it. */
export interface FieldIssue {
  path: string;
  message: string;
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

/** Parses `input` with `schema`, or throws a 400 HttpError naming each bad field. */
export function parseOr400<S extends z.ZodType>(
  schema: S,
  input: unknown,
  what = "request",
): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw invalidInput(what, fieldIssues(parsed.error));
}

/** A 400 HttpError for an invalid `what`, listing each issue. */
export function invalidInput(what: string, issues: FieldIssue[]): HttpError {
  const first = issues[0];
  const summary = first ? `: ${first.path}: ${first.message}` : "";
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
  return new HttpError(400, `Invalid ${what}${summary}${more}`, {
    details: { issues },
  });
}
