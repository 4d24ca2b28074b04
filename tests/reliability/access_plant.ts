/**
 * Set-up of the access scenario: student A's data, every string of it carrying one unique marker,
 * the admin objects the admin routes need, and the dead credentials (revoked token, signed-out and
 * expired sessions) the matrix tries.
 */
import { createSession } from "../../lib/auth/account_store.ts";
import { SESSION_COOKIE } from "../../lib/http/cookies.ts";
import { api, type ServerProcess, signInViaApi } from "../e2e/harness.ts";
import {
  addWebhookEndpoint,
  createToken,
  getJson,
  postEvents,
  type Student,
  STUDENT_PASSWORD,
  waitFor,
  waitProcessed,
} from "./fixtures.ts";
import type { Planted } from "./route_matrix.ts";

/** Credentials that once were A's and must now be refused like none at all. */
export interface DeadCredentials {
  revokedToken: string;
  signedOutCookie: string;
  expiredCookie: string;
}

/** Calls `path` with a bearer token or a session cookie, failing on any status but `expected`; resolves with the JSON. */
async function must<T>(
  server: ServerProcess,
  path: string,
  options: { token?: string; cookie?: string; json?: unknown; method?: string },
  expected: number,
): Promise<T> {
  const response = await api(server, path, options);
  const text = await response.text();
  if (response.status !== expected) {
    throw new Error(`${options.method ?? "GET"} ${path} answered ${response.status}: ${text}`);
  }
  return (text ? JSON.parse(text) : null) as T;
}

/**
 * Gives A events (a completed video and a quiz two systems disagree on, so a conflict waits), a
 * todo, a learning-protocol event, a named token and a public achievement; makes a catalog
 * activity and path and a webhook endpoint with deliveries (admin). Every A-owned string holds
 * `marker`.
 */
export async function plantData(
  server: ServerProcess,
  a: Student,
  marker: string,
  receiverUrl: string,
): Promise<Planted> {
  const admin = server.adminToken;
  const endpointId = await addWebhookEndpoint(server, receiverUrl);
  const catalogActivityId = "access-matrix-activity";
  await must(server, `/api/progress-sync/activities/${catalogActivityId}`, {
    token: admin,
    method: "PUT",
    json: { title: "Access matrix activity", activityType: "video" },
  }, 201);
  const pathId = "access-matrix-path";
  await must(server, `/api/progress-sync/paths/${pathId}`, {
    token: admin,
    method: "PUT",
    json: { title: "Access matrix path", steps: [{ stepId: "s1", activityId: catalogActivityId }] },
  }, 201);

  const eventId = `${marker}-event`;
  const activityId = `${marker}-video`;
  const quizId = `${marker}-quiz`;
  const now = Date.now();
  const quiz = (id: string, sourceSystem: string, status: string, score: number, ago: number) => ({
    id,
    eventType: "activity_progressed",
    sourceSystem,
    eventData: { activityId: quizId, activityType: "quiz", completionStatus: status, score },
    timestamp: new Date(now - ago).toISOString(),
  });
  const posted = await postEvents(server, a.token, {
    events: [
      {
        id: eventId,
        eventType: "video_completed",
        sourceSystem: "video_player",
        eventData: {
          activityId,
          activityType: "video",
          completionStatus: "completed",
          timeSpent: 4,
          videoProgress: { videoId: `${marker}-videoid`, percentageWatched: 100 },
        },
      },
      quiz(`${marker}-quiz-passed`, "quiz_engine", "completed", 80, 30 * 60_000),
      quiz(`${marker}-quiz-failed`, "chat_system", "failed", 40, 10 * 60_000),
    ],
  });
  if (posted.status !== 202) throw new Error(`Planting events answered ${posted.status}`);
  await posted.body?.cancel();
  const itemId = `${marker}-item`;
  await must(server, `/api/progress-sync/items/${itemId}`, {
    token: a.token,
    method: "PUT",
    json: {
      system: "todo_manager",
      kind: "todo",
      title: `Todo ${marker}`,
      activityIds: [catalogActivityId],
    },
  }, 201);
  const learningEventId = `${marker}-learning`;
  await must(server, "/api/v1/learning/progress", {
    token: a.token,
    method: "PUT",
    json: {
      clientUpdatedAt: new Date(now).toISOString(),
      events: [{
        eventId: learningEventId,
        occurredAt: new Date(now).toISOString(),
        clientId: `${marker}-client`,
        type: "content.progressed",
        payload: { contentId: `${marker}-content`, status: "completed" },
      }],
    },
  }, 200);
  const { id: tokenId } = await must<{ id: string }>(server, "/api/tokens", {
    cookie: a.cookie,
    json: { name: `Token ${marker}`, scopes: ["progress:read"] },
  }, 201);

  const statementId = crypto.randomUUID();
  const statement = await fetch(`${server.origin}/xapi/statements`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${a.token}`,
      "content-type": "application/json",
      "x-experience-api-version": "1.0.3",
    },
    body: JSON.stringify({
      id: statementId,
      actor: { objectType: "Agent", account: { homePage: server.origin, name: a.username } },
      verb: { id: "http://adlnet.gov/expapi/verbs/experienced" },
      object: { id: `http://example.com/activities/${marker}-statement` },
    }),
  });
  if (statement.status !== 200) {
    throw new Error(
      `Planting an xAPI statement answered ${statement.status}: ${await statement.text()}`,
    );
  }
  await statement.body?.cancel();

  await waitProcessed(server);
  const conflictId = await waitFor("A's conflict", async () => {
    const { conflicts } = await getJson<{ conflicts: { id: string }[] }>(
      server,
      "/api/progress-sync/conflicts",
      a.token,
    );
    return conflicts[0]?.id ?? null;
  }, 15_000);
  const { achievements } = await getJson<{ achievements: { achievementId: string }[] }>(
    server,
    "/api/progress-sync/achievements",
    a.token,
  );
  const achievementId = achievements[0]?.achievementId;
  if (!achievementId) throw new Error("A earned no achievement to share");
  const shared = await must<{ shareUrl: string }>(
    server,
    `/api/progress-sync/achievements/${achievementId}/public`,
    { token: a.token, method: "PUT", json: { public: true } },
    200,
  );
  const deliveryId = await waitFor("a webhook delivery", async () => {
    const page = await getJson<{ deliveries: { id: string }[] }>(
      server,
      `/api/webhooks/${endpointId}/deliveries`,
      admin,
    );
    return page.deliveries[0]?.id ?? null;
  }, 15_000);
  return {
    marker,
    userId: a.userId,
    username: a.username,
    eventId,
    activityId,
    itemId,
    conflictId,
    tokenId,
    achievementId,
    shareId: shared.shareUrl.split("/").pop()!,
    learningEventId,
    endpointId,
    deliveryId,
    pathId,
    catalogActivityId,
    statementId,
  };
}

/** A revoked token of A's, a session A signed out of, and one that has expired. */
export async function deadCredentials(server: ServerProcess, a: Student): Promise<DeadCredentials> {
  const revoked = await createToken(server, a.cookie, ["events:write", "progress:read"]);
  const deleted = await api(server, `/api/tokens/${revoked.id}`, {
    cookie: a.cookie,
    method: "DELETE",
  });
  if (deleted.status !== 204) throw new Error(`Revoking a token answered ${deleted.status}`);
  const signedOut = await signInViaApi(server, a.username, STUDENT_PASSWORD);
  const logout = await api(server, "/api/auth/logout", { cookie: signedOut.cookie, json: {} });
  if (logout.status !== 200) throw new Error(`Signing out answered ${logout.status}`);
  // An expired session, written as the server writes one, into its KV file.
  const kv = await Deno.openKv(server.kvPath);
  let expired: string;
  try {
    expired = await createSession(kv, a.userId, { ttlMs: 1 });
  } finally {
    kv.close();
  }
  return {
    revokedToken: revoked.token,
    signedOutCookie: signedOut.cookie,
    expiredCookie: `${SESSION_COOKIE}=${expired}`,
  };
}

/** Signs in to the admin console with the admin token; returns its `ps_admin=…` cookie. */
export async function adminConsoleCookie(server: ServerProcess): Promise<string> {
  const response = await fetch(`${server.origin}/admin/signin`, {
    method: "POST",
    headers: { origin: server.origin },
    body: new URLSearchParams({ token: server.adminToken }),
    redirect: "manual",
  });
  await response.body?.cancel();
  const cookie = (response.headers.get("set-cookie") ?? "").split(";")[0]!;
  if (response.status !== 303 || !cookie.startsWith("ps_admin=")) {
    throw new Error(`Admin console sign-in answered ${response.status}`);
  }
  return cookie;
}
