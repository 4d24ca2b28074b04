import type { z } from "zod";
import { fieldIssues, invalidInput } from "../errors.ts";

export { type FieldIssue, fieldIssues, formatPath, invalidInput } from "../errors.ts";

/** Parses `input` with `schema`, or throws an `InvalidInputError` (a 400) naming each bad field. */
export function parseOr400<S extends z.ZodType>(
  schema: S,
  input: unknown,
  what = "request",
): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw invalidInput(what, fieldIssues(parsed.error));
}
