import type { Context } from "hono";
import { HttpError } from "./http_error.ts";

/** Largest accepted request body. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Reads the request body as JSON: 413 when over `MAX_BODY_BYTES`, 400 when not JSON. */
export async function readJson(c: Context): Promise<unknown> {
  const declared = Number(c.req.header("content-length") ?? 0);
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const buffer = await c.req.arrayBuffer();
  if (buffer.byteLength > MAX_BODY_BYTES) throw tooLarge();
  const text = new TextDecoder().decode(buffer);
  if (text.trim() === "") throw new HttpError(400, "Request body is empty: send JSON");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(
      400,
      `Malformed JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function tooLarge(): HttpError {
  return new HttpError(413, `Request body too large: the limit is ${MAX_BODY_BYTES} bytes`);
}
