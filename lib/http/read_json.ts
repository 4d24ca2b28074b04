import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HttpError } from "./http_error.ts";

/** Largest accepted request body. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Reads the request body as JSON: 413 when over `MAX_BODY_BYTES`, 400 when not JSON. */
export async function readJson(c: Context): Promise<unknown> {
  const declared = Number(c.req.header("content-length") ?? 0);
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const buffer = await c.req.arrayBuffer();
  if (buffer.byteLength > MAX_BODY_BYTES) throw tooLarge();
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(buffer);
  } catch {
    throw new HttpError(400, "Request body is not valid UTF-8");
  }
  if (text.trim() === "") throw new HttpError(400, "Request body is empty: send JSON");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new HttpError(
      400,
      `Malformed JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  // Only `\uD800`–`\uDFFF` escapes can make a lone surrogate: skip the walk without them.
  if (/\\u[dD][89a-fA-F]/.test(text) && !isWellFormedJson(value)) {
    throw new HttpError(400, "Malformed JSON: a string holds a lone UTF-16 surrogate");
  }
  return value;
}

/** Whether every string (keys included) in a parsed JSON value is well-formed Unicode. */
export function isWellFormedJson(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === "string") {
      if (!item.isWellFormed()) return false;
    } else if (Array.isArray(item)) {
      for (const child of item) stack.push(child);
    } else if (item !== null && typeof item === "object") {
      for (const [key, child] of Object.entries(item)) {
        if (!key.isWellFormed()) return false;
        stack.push(child);
      }
    }
  }
  return true;
}

/** Middleware refusing any request body over `MAX_BODY_BYTES` with a 413, however it is read. */
export function limitBody(): MiddlewareHandler {
  return bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw tooLarge();
    },
  });
}

function tooLarge(): HttpError {
  return new HttpError(413, `Request body too large: the limit is ${MAX_BODY_BYTES} bytes`);
}
