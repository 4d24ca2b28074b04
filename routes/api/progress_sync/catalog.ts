import { Hono } from "hono";
import { z } from "zod";
import {
  activityInputSchema,
  itemInputSchema,
  pathInputSchema,
} from "../../../lib/catalog/catalog_schema.ts";
import {
  deleteActivity,
  deleteItem,
  deletePath,
  getItem,
  getPaths,
  listActivities,
  putActivity,
  putItem,
  putPath,
} from "../../../lib/catalog/catalog_store.ts";
import { existingUserIds } from "../../../lib/auth/account_store.ts";
import { actsForAnyUser } from "../../../lib/auth/principal.ts";
import type { AppEnv } from "../../../lib/http/app_env.ts";
import { requireScope } from "../../../lib/http/auth_middleware.ts";
import { HttpError } from "../../../lib/http/http_error.ts";
import { readJson } from "../../../lib/http/read_json.ts";
import { subjectUserId } from "../../../lib/http/subject_user.ts";
import { parseOr400 } from "../../../lib/http/validation.ts";
import { refreshItemState } from "../../../lib/sync/item_refresh.ts";
import { listItemViews } from "../../../lib/sync/item_views.ts";
import type { ItemView } from "../../../lib/core/propagation.ts";

const itemQuerySchema = z.object({
  system: z.enum(["todo_manager", "calendar_service"]).optional(),
  kind: z.enum(["todo", "schedule"]).optional(),
  userId: z.string().optional(),
});

/** `/api/progress-sync/activities`: the deployment's catalog (`system`/`admin` to change, anyone signed in to read). */
export const activityRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    requireScope(c, "progress:read", "system");
    return c.json({ activities: await listActivities(c.get("deps").kv) });
  })
  .put("/:activityId", async (c) => {
    requireScope(c, "system");
    const input = parseOr400(activityInputSchema, await readJson(c), "activity");
    const { activity, created } = await putActivity(
      c.get("deps").kv,
      c.req.param("activityId"),
      input,
    );
    return c.json(activity, created ? 201 : 200);
  })
  .delete("/:activityId", async (c) => {
    requireScope(c, "system");
    if (!await deleteActivity(c.get("deps").kv, c.req.param("activityId"))) {
      throw new HttpError(404, "Activity not found");
    }
    return c.body(null, 204);
  });

/** `/api/progress-sync/paths`: learning paths of catalog activities. */
export const pathRoutes = new Hono<AppEnv>()
  .get("/:pathId", async (c) => {
    requireScope(c, "progress:read", "system");
    const path = (await getPaths(c.get("deps").kv, [c.req.param("pathId")])).get(
      c.req.param("pathId"),
    );
    if (!path) throw new HttpError(404, "Path not found");
    return c.json(path);
  })
  .put("/:pathId", async (c) => {
    requireScope(c, "system");
    const input = parseOr400(pathInputSchema, await readJson(c), "path");
    const { path, created } = await putPath(c.get("deps").kv, c.req.param("pathId"), input);
    return c.json(path, created ? 201 : 200);
  })
  .delete("/:pathId", async (c) => {
    requireScope(c, "system");
    if (!await deletePath(c.get("deps").kv, c.req.param("pathId"))) {
      throw new HttpError(404, "Path not found");
    }
    return c.body(null, 204);
  });

/** `/api/progress-sync/items`: students' todos and calendar entries that track activities, with derived state. */
export const itemRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const principal = requireScope(c, "progress:read", "system");
    const query = parseOr400(itemQuerySchema, c.req.query(), "query");
    const userId = await subjectUserId(c, principal);
    const views = (await listItemViews(c.get("deps").kv, userId)).filter((i) =>
      (!query.system || i.system === query.system) && (!query.kind || i.kind === query.kind)
    );
    return c.json({ items: views });
  })
  .put("/:itemId", async (c) => {
    const principal = requireScope(c, "events:write", "system");
    const input = parseOr400(itemInputSchema, await readJson(c), "item");
    const { kv } = c.get("deps");
    const userId = input.userId ?? principal.userId;
    if (userId === null) {
      throw new HttpError(400, "Invalid item: userId: Required when using a system or admin token");
    }
    if (userId !== principal.userId) {
      if (!actsForAnyUser(principal)) {
        throw new HttpError(
          403,
          "Cannot manage another student's items: that needs a `system` token",
        );
      }
      if (!(await existingUserIds(kv, [userId])).has(userId)) {
        throw new HttpError(400, `Invalid item: userId: Unknown user "${userId}"`);
      }
    }
    const existing = await getItem(kv, c.req.param("itemId"));
    if (existing && existing.userId !== userId && !actsForAnyUser(principal)) {
      throw new HttpError(404, "Item not found");
    }
    const { item, created } = await putItem(kv, c.req.param("itemId"), userId, input);
    const state = await refreshItemState(kv, item);
    return c.json({ ...item, state } satisfies ItemView, created ? 201 : 200);
  })
  .delete("/:itemId", async (c) => {
    const principal = requireScope(c, "events:write", "system");
    const { kv } = c.get("deps");
    const item = await getItem(kv, c.req.param("itemId"));
    const mayDelete = item && (item.userId === principal.userId || actsForAnyUser(principal));
    if (!item || !mayDelete || !await deleteItem(kv, item.itemId, item.userId)) {
      throw new HttpError(404, "Item not found");
    }
    return c.body(null, 204);
  });
