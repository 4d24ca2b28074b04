import { recordAudit } from "../audit/audit_log.ts";
import type { User } from "../auth/account_store.ts";
import type { Processor } from "../processing/processor.ts";
import { eraseStudent } from "./account_erasure.ts";

/**
 * Deletes a student's account and every record of it: erased, then erased again once the
 * processor is idle (so nothing it was applying for them survives). Their sessions and tokens
 * go with the rest, so their live streams end at the next check. The audit log records the
 * erasure by whom and how many records, never who.
 */
export async function closeAccount(
  deps: { kv: Deno.Kv; processor: Processor },
  user: User,
  options: { by: "student" | "admin" },
): Promise<number> {
  let erased = await eraseStudent(deps.kv, user);
  await deps.processor.idle();
  erased += await eraseStudent(deps.kv, user);
  await recordAudit(deps.kv, {
    actor: options.by === "admin" ? "admin" : "system",
    action: "account.erased",
    details: { by: options.by, records: erased },
  });
  return erased;
}
