/** The deployment's progress weights, read once from `PROGRESS_WEIGHTS` where env access is granted. */
import { type ProgressWeights, weightsFromEnv } from "../core/weights.ts";

let configured: ProgressWeights | null = null;

/** The deployment's weights (`PROGRESS_WEIGHTS` read once; the defaults without env access). */
export function configuredWeights(): ProgressWeights {
  if (configured) return configured;
  let read: (name: string) => string | undefined = () => undefined;
  try {
    if (
      Deno.permissions.querySync({ name: "env", variable: "PROGRESS_WEIGHTS" }).state === "granted"
    ) {
      read = (name) => Deno.env.get(name);
    }
  } catch {
    // No permission API (e.g. in the browser bundle): the defaults.
  }
  configured = weightsFromEnv(read);
  return configured;
}
