/**
 * Signed statements (xAPI 1.0.3 §2.6): the checks an LRS makes on a signature attachment, as pure
 * functions. The JWS's RSA signature itself is not verified (the spec leaves that to consumers);
 * its form, algorithm and payload are.
 */
import { canonicalJson } from "../core/content_hash.ts";
import type { JsonObject } from "./statement_validation.ts";

/** The attachment usage type of a statement's signature. */
export const SIGNATURE_USAGE = "http://adlnet.gov/expapi/attachments/signature";

const ALGORITHMS = ["RS256", "RS384", "RS512"];

function decodeSegment(segment: string): unknown {
  const base64 = segment.replaceAll("-", "+").replaceAll("_", "/");
  const bytes = Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
  return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
}

/** What the signed payload and the statement must agree on. */
function signedPart(statement: JsonObject): string {
  return canonicalJson({ actor: statement.actor, verb: statement.verb, object: statement.object });
}

/**
 * The reason a statement's signature attachment is unacceptable, or null when it is fine: a JWS
 * in compact form sent as `application/octet-stream`, with an RS256/384/512 algorithm and a JSON
 * payload that is the statement (same actor, verb and object; the id too when both have one).
 */
export function signatureProblem(
  statement: JsonObject,
  attachment: JsonObject,
  content: Uint8Array,
): string | null {
  if (attachment.contentType !== "application/octet-stream") {
    return "A signature attachment's contentType must be application/octet-stream";
  }
  const segments = new TextDecoder().decode(content).trim().split(".");
  if (segments.length !== 3 || segments.some((s) => !/^[A-Za-z0-9_-]*$/.test(s))) {
    return "The signature is not a JWS in compact serialization";
  }
  let header: unknown;
  let payload: unknown;
  try {
    header = decodeSegment(segments[0]!);
    payload = decodeSegment(segments[1]!);
  } catch {
    return "The signature's header or payload is not valid JSON";
  }
  const alg = (header as JsonObject | null)?.alg;
  if (typeof alg !== "string" || !ALGORITHMS.includes(alg)) {
    return "The signature must use RS256, RS384 or RS512";
  }
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) {
    return "The signature's payload must be the statement";
  }
  const signed = payload as JsonObject;
  const sameId = signed.id === undefined || statement.id === undefined ||
    String(signed.id).toLowerCase() === String(statement.id).toLowerCase();
  if (!sameId || signedPart(signed) !== signedPart(statement)) {
    return "The signature's payload differs from the statement";
  }
  return null;
}
