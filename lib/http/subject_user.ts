import type { Context } from "hono";
import { existingUserIds } from "../auth/account_store.ts";
import { actsForAnyUser, type Principal } from "../auth/principal.ts";
import type { AppEnv } from "./app_env.ts";
import { HttpError } from "./http_error.ts";

/**
 * The student a read is about: `?userId=` for system and admin callers (404 when unknown),
 * otherwise the caller; a student naming someone else gets a 404, as if it did not exist.
 */
export async function subjectUserId(
  c: Context<AppEnv>,
  principal: Principal,
): Promise<string> {
  const requested = c.req.query("userId");
  if (requested === undefined || requested === principal.userId) {
    if (principal.userId === null) {
      throw new HttpError(400, "Query parameter `userId` is required for system and admin callers");
    }
    return principal.userId;
  }
  if (!actsForAnyUser(principal)) throw new HttpError(404, "User not found");
  const found = await existingUserIds(c.get("deps").kv, [requested]);
  if (!found.has(requested)) throw new HttpError(404, "User not found");
  return requested;
}
