/**
 * Every route of the app and who may call it: the one list the access scenario walks. It is
 * compared with the routes `createApp()` registers, so a new route missing here fails the suite.
 */

/** What student A owns (every string with the marker), planted before the matrix runs. */
export interface Planted {
  /** A string no response to anyone but A (or the admin) may contain. */
  marker: string;
  userId: string;
  username: string;
  eventId: string;
  activityId: string;
  itemId: string;
  conflictId: string;
  tokenId: string;
  /** Catalog id of an achievement A earned and made public. */
  achievementId: string;
  shareId: string;
  learningEventId: string;
  /** Admin-made objects the admin routes need (a webhook endpoint, a delivery, a catalog path). */
  endpointId: string;
  deliveryId: string;
  pathId: string;
  catalogActivityId: string;
  /** An xAPI statement whose actor is A. */
  statementId: string;
}

/** The request sent for a route: the path (with A's ids in it) and a valid body. */
export interface RouteRequest {
  path: string;
  json?: unknown;
  /** A form body (`application/x-www-form-urlencoded`), for the HTML pages' forms. */
  form?: Record<string, string>;
  /** Extra headers (e.g. `Last-Event-ID`). */
  headers?: Record<string, string>;
}

/**
 * Who may call a route:
 * - `student`: an API route on the caller's own data, by token or session cookie, needing
 *   `scope` (null: any signed-in caller, e.g. managing their own tokens); `foreign` is the answer to another student aiming at A's data (404 for A's objects,
 *   403 for writes naming A), or `own` when the route only ever touches the caller's own data
 *   (then the answer is 2xx and must hold nothing of A's);
 * - `catalog`: a catalog write (`system` scope);
 * - `admin`: the admin scope (`ADMIN_TOKEN`, an admin token, or the admin console's cookie under
 *   `/admin/api`);
 * - `page`: an HTML page or form for the signed-in student (session cookie only; anyone else is
 *   sent to the sign-in page); `foreign` as for `student` (303: a no-op that redirects);
 * - `public`: open to anyone; `anonymous` is its answer without credentials, `mayShow` what it
 *   may show of a student;
 * - `middleware`: registered for every method under a prefix, not a route of its own.
 */
export type Access =
  | { kind: "student"; scope: StudentScope | null; foreign: 403 | 404 | "own" }
  | { kind: "catalog" }
  | { kind: "admin" }
  | { kind: "page"; foreign: 303 | 404 | "own" }
  | { kind: "public"; anonymous: number; mayShow: string }
  | { kind: "middleware" };

/** The scopes of a student's own data (and of managing their tokens). */
export type StudentScope = "progress:read" | "events:write" | "tokens:manage";

/** One row of the matrix. */
export interface RouteRow {
  /** `METHOD /path/:param` exactly as Hono registers it. */
  route: string;
  access: Access;
  /** The request, aimed at A's data where the route takes an id or `userId`. */
  request?: (p: Planted) => RouteRequest;
}

const own = (scope: StudentScope | null) => ({ kind: "student", scope, foreign: "own" }) as const;
const ofA = (scope: StudentScope | null, foreign: 403 | 404 = 404) =>
  ({ kind: "student", scope, foreign }) as const;
const admin = { kind: "admin" } as const;
const catalog = { kind: "catalog" } as const;
const page = (foreign: 303 | 404 | "own" = "own") => ({ kind: "page", foreign }) as const;
const open = (anonymous: number, mayShow: string) =>
  ({ kind: "public", anonymous, mayShow }) as const;

/** A valid `video_completed` event body for `userId`. */
const eventFor = (userId: string) => ({
  userId,
  eventType: "video_completed",
  sourceSystem: "video_player",
  eventData: {
    activityId: "access-matrix-video",
    activityType: "video",
    completionStatus: "completed",
    timeSpent: 3,
  },
});

/** A valid todo item body, tracking the catalog activity. */
const itemBody = (p: Planted) => ({
  system: "todo_manager",
  kind: "todo",
  title: "Access matrix todo",
  activityIds: [p.catalogActivityId],
});

const learningPut = {
  clientUpdatedAt: "2025-01-01T00:00:00Z",
  events: [{
    eventId: "access-matrix-learning",
    occurredAt: "2025-01-01T00:00:00Z",
    clientId: "access-matrix-client",
    type: "content.progressed",
    payload: { contentId: "access-matrix-content", status: "completed" },
  }],
};

/** The admin API, served under `/api` (bearer) and again under `/admin/api` (console cookie). */
function adminApi(prefix: string): RouteRow[] {
  const hooks = `${prefix}/webhooks`;
  const rows: RouteRow[] = [
    {
      route: `POST ${hooks}/inbound/:system`,
      access: open(401, "nothing: unsigned pushes are refused before anything is read"),
      request: () => ({ path: `${hooks}/inbound/quiz_engine`, json: { type: "progress_event" } }),
    },
    { route: `GET ${hooks}/inbound`, access: admin, request: () => ({ path: `${hooks}/inbound` }) },
    {
      route: `PUT ${hooks}/inbound/:system/secret`,
      access: admin,
      request: () => ({ path: `${hooks}/inbound/quiz_engine/secret`, json: {} }),
    },
    {
      route: `POST ${hooks}`,
      access: admin,
      request: () => ({ path: hooks, json: { url: "http://127.0.0.1:9/", eventTypes: ["*"] } }),
    },
    { route: `GET ${hooks}`, access: admin, request: () => ({ path: hooks }) },
    {
      route: `GET ${hooks}/:id`,
      access: admin,
      request: (p) => ({ path: `${hooks}/${p.endpointId}` }),
    },
    {
      route: `PATCH ${hooks}/:id`,
      access: admin,
      request: (p) => ({ path: `${hooks}/${p.endpointId}`, json: { description: "patched" } }),
    },
    {
      route: `DELETE ${hooks}/:id`,
      access: admin,
      request: (p) => ({ path: `${hooks}/${p.endpointId}` }),
    },
    {
      route: `POST ${hooks}/:id/test`,
      access: admin,
      request: (p) => ({ path: `${hooks}/${p.endpointId}/test` }),
    },
    {
      route: `POST ${hooks}/:id/rotate`,
      access: admin,
      request: (p) => ({ path: `${hooks}/${p.endpointId}/rotate` }),
    },
    {
      route: `GET ${hooks}/:id/deliveries`,
      access: admin,
      request: (p) => ({ path: `${hooks}/${p.endpointId}/deliveries` }),
    },
    {
      route: `GET ${hooks}/:id/deliveries/:deliveryId`,
      access: admin,
      request: (p) => ({ path: `${hooks}/${p.endpointId}/deliveries/${p.deliveryId}` }),
    },
    {
      route: `POST ${hooks}/:id/deliveries/:deliveryId/replay`,
      access: admin,
      request: (p) => ({ path: `${hooks}/${p.endpointId}/deliveries/${p.deliveryId}/replay` }),
    },
    {
      route: `POST ${hooks}/:id/replay`,
      access: admin,
      request: (p) => ({
        path: `${hooks}/${p.endpointId}/replay`,
        json: { since: "2025-01-01T00:00:00Z" },
      }),
    },
  ];
  const [health, repair, audit] = prefix === "/api"
    ? ["/api/progress-sync/health", "/api/progress-sync/repair", "/api/audit"]
    : ["/admin/api/health", "/admin/api/repair", "/admin/api/audit"];
  rows.push(
    { route: `GET ${health}`, access: admin, request: () => ({ path: health }) },
    {
      route: `POST ${repair}`,
      access: admin,
      request: () => ({ path: repair, json: { inconsistencyTypes: ["all"], dryRun: true } }),
    },
    { route: `GET ${audit}`, access: admin, request: () => ({ path: audit }) },
  );
  return rows;
}

const PS = "/api/progress-sync";

/** The header every xAPI request but `/xapi/about` carries. */
const XAPI = { "X-Experience-API-Version": "1.0.3" };

/** A statement with A as its actor (what another student may not send). */
const statementOfA = (p: Planted, id?: string) => ({
  ...(id ? { id } : {}),
  actor: { objectType: "Agent", account: { homePage: "http://localhost", name: p.username } },
  verb: { id: "http://adlnet.gov/expapi/verbs/completed" },
  object: { id: `http://example.com/activities/${p.marker}-access`, objectType: "Activity" },
});

/** A `more` link of the statements resource: the page after the first stored statement. */
const moreToken = btoa(JSON.stringify({ p: {}, a: "0" })).replaceAll("=", "");

/** Every route of the app, with who may call it and the request that tries it. */
export const ROUTE_MATRIX: readonly RouteRow[] = [
  { route: "ALL /*", access: { kind: "middleware" } },
  { route: "ALL /api/*", access: { kind: "middleware" } },
  { route: "ALL /admin/*", access: { kind: "middleware" } },
  {
    route: "ALL /static/*",
    access: open(200, "nothing: stylesheets and island bundles"),
    request: () => ({ path: "/static/styles.css" }),
  },
  // Accounts and tokens.
  {
    route: "POST /api/auth/register",
    access: open(409, "nothing: a taken name is refused without saying whose it is"),
    request: (p) => ({
      path: "/api/auth/register",
      json: { username: p.username, password: "another-password-1" },
    }),
  },
  {
    route: "POST /api/auth/login",
    access: open(401, "nothing: a wrong password is refused"),
    request: (p) => ({
      path: "/api/auth/login",
      json: { username: p.username, password: "wrong-password-1" },
    }),
  },
  {
    route: "POST /api/auth/logout",
    access: open(200, "nothing: ends the caller's own session, if any"),
    request: () => ({ path: "/api/auth/logout" }),
  },
  {
    route: "POST /api/tokens",
    access: ofA("tokens:manage", 403),
    request: (p) => ({
      path: "/api/tokens",
      json: { name: "access matrix", scopes: ["progress:read"], userId: p.userId },
    }),
  },
  {
    route: "GET /api/tokens",
    access: own("tokens:manage"),
    request: () => ({ path: "/api/tokens" }),
  },
  {
    route: "DELETE /api/tokens/:id",
    access: ofA("tokens:manage"),
    request: (p) => ({ path: `/api/tokens/${p.tokenId}` }),
  },
  // A student's data rights: aimed at A by name, only A (or the admin) may.
  {
    route: "GET /api/account/export",
    access: ofA("progress:read", 403),
    request: (p) => ({ path: `/api/account/export?userId=${p.userId}` }),
  },
  {
    route: "DELETE /api/account",
    access: ofA(null, 403),
    request: (p) => ({ path: `/api/account?userId=${p.userId}`, json: { password: "wrong-1" } }),
  },
  // The event log.
  {
    route: `POST ${PS}/events`,
    access: ofA("events:write", 403),
    request: (p) => ({ path: `${PS}/events`, json: eventFor(p.userId) }),
  },
  {
    route: `GET ${PS}/events`,
    access: ofA("progress:read"),
    request: (p) => ({ path: `${PS}/events?userId=${p.userId}` }),
  },
  {
    route: `GET ${PS}/events/:id`,
    access: ofA("progress:read"),
    request: (p) => ({ path: `${PS}/events/${p.eventId}` }),
  },
  {
    route: `GET ${PS}/summary`,
    access: ofA("progress:read"),
    request: (p) => ({ path: `${PS}/summary?userId=${p.userId}` }),
  },
  {
    route: `GET ${PS}/conflicts`,
    access: ofA("progress:read"),
    request: (p) => ({ path: `${PS}/conflicts?userId=${p.userId}` }),
  },
  {
    route: `GET ${PS}/conflicts/:id`,
    access: ofA("progress:read"),
    request: (p) => ({ path: `${PS}/conflicts/${p.conflictId}` }),
  },
  {
    route: `POST ${PS}/conflicts/:id/resolve`,
    access: ofA("events:write"),
    request: (p) => ({
      path: `${PS}/conflicts/${p.conflictId}/resolve`,
      json: { resolutionType: "use_latest" },
    }),
  },
  {
    route: `GET ${PS}/live`,
    access: ofA("progress:read"),
    request: (p) => ({ path: `${PS}/live?userId=${p.userId}`, headers: { "last-event-id": "0" } }),
  },
  {
    route: `GET ${PS}/achievements`,
    access: ofA("progress:read"),
    request: (p) => ({ path: `${PS}/achievements?includePublic=true&userId=${p.userId}` }),
  },
  {
    route: `PUT ${PS}/achievements/:achievementId/public`,
    access: ofA("events:write"),
    request: (p) => ({
      path: `${PS}/achievements/${p.achievementId}/public`,
      json: { public: false },
    }),
  },
  {
    route: `GET ${PS}/insights`,
    access: ofA("progress:read"),
    request: (p) => ({ path: `${PS}/insights?userId=${p.userId}` }),
  },
  {
    route: `GET ${PS}/insights/patterns`,
    access: ofA("progress:read"),
    request: (p) => ({ path: `${PS}/insights/patterns?userId=${p.userId}` }),
  },
  {
    route: "GET /api/profile",
    access: own("progress:read"),
    request: () => ({ path: "/api/profile" }),
  },
  {
    route: "PUT /api/profile",
    access: own("events:write"),
    request: () => ({ path: "/api/profile", json: { timeZone: "Europe/Berlin" } }),
  },
  // The catalog and the student's items.
  {
    route: `GET ${PS}/activities`,
    access: own("progress:read"),
    request: () => ({ path: `${PS}/activities` }),
  },
  {
    route: `PUT ${PS}/activities/:activityId`,
    access: catalog,
    request: (p) => ({
      path: `${PS}/activities/${p.catalogActivityId}`,
      json: { title: "Renamed", activityType: "video" },
    }),
  },
  {
    route: `DELETE ${PS}/activities/:activityId`,
    access: catalog,
    request: (p) => ({ path: `${PS}/activities/${p.catalogActivityId}` }),
  },
  {
    route: `GET ${PS}/paths/:pathId`,
    access: own("progress:read"),
    request: (p) => ({ path: `${PS}/paths/${p.pathId}` }),
  },
  {
    route: `PUT ${PS}/paths/:pathId`,
    access: catalog,
    request: (p) => ({
      path: `${PS}/paths/${p.pathId}`,
      json: { title: "Renamed", steps: [{ stepId: "s1", activityId: p.catalogActivityId }] },
    }),
  },
  {
    route: `DELETE ${PS}/paths/:pathId`,
    access: catalog,
    request: (p) => ({ path: `${PS}/paths/${p.pathId}` }),
  },
  {
    route: `GET ${PS}/items`,
    access: ofA("progress:read"),
    request: (p) => ({ path: `${PS}/items?userId=${p.userId}` }),
  },
  {
    route: `PUT ${PS}/items/:itemId`,
    access: ofA("events:write"),
    request: (p) => ({ path: `${PS}/items/${p.itemId}`, json: itemBody(p) }),
  },
  {
    route: `DELETE ${PS}/items/:itemId`,
    access: ofA("events:write"),
    request: (p) => ({ path: `${PS}/items/${p.itemId}` }),
  },
  // Seed 001's offline protocol.
  {
    route: "GET /api/v1/learning/progress",
    access: ofA("progress:read"),
    request: (p) => ({ path: `/api/v1/learning/progress?userId=${p.userId}` }),
  },
  {
    route: "PUT /api/v1/learning/progress",
    access: ofA("events:write"),
    request: (p) => ({ path: `/api/v1/learning/progress?userId=${p.userId}`, json: learningPut }),
  },
  // Admin: the API with bearer tokens, then the console's sign-in and its cookie API.
  ...adminApi("/api"),
  {
    route: "GET /admin",
    access: open(200, "nothing: the console's sign-in form"),
    request: () => ({ path: "/admin" }),
  },
  {
    route: "POST /admin/signin",
    access: open(401, "nothing: a wrong token is refused"),
    request: () => ({ path: "/admin/signin", form: { token: "not-the-admin-token" } }),
  },
  {
    route: "POST /admin/signout",
    access: open(303, "nothing: ends the console's own session, if any"),
    request: () => ({ path: "/admin/signout" }),
  },
  {
    route: "GET /admin/api/console",
    access: admin,
    request: () => ({ path: "/admin/api/console" }),
  },
  ...adminApi("/admin/api"),
  // Open Badges: public by design for achievements their students shared.
  {
    route: "GET /openbadges/issuer",
    access: open(200, "the issuer profile only"),
    request: () => ({ path: "/openbadges/issuer" }),
  },
  {
    route: "GET /openbadges/badges/:achievementId",
    access: open(200, "the badge class (catalog data)"),
    request: (p) => ({ path: `/openbadges/badges/${p.achievementId}` }),
  },
  {
    route: "GET /openbadges/badges/:achievementId/image.svg",
    access: open(200, "the badge image"),
    request: (p) => ({ path: `/openbadges/badges/${p.achievementId}/image.svg` }),
  },
  {
    route: "GET /openbadges/badges/:achievementId/image.png",
    access: open(200, "the badge picture, no student data"),
    request: (p) => ({ path: `/openbadges/badges/${p.achievementId}/image.png` }),
  },
  {
    route: "GET /openbadges/assertions/:shareId",
    access: open(
      200,
      "a shared achievement's assertion: badge, date, the student's name; no ids or progress",
    ),
    request: (p) => ({ path: `/openbadges/assertions/${p.shareId}` }),
  },
  // HTML pages.
  {
    route: "GET /",
    access: open(200, "nothing: the welcome page"),
    request: () => ({ path: "/" }),
  },
  {
    route: "GET /signin",
    access: open(200, "nothing: the sign-in form"),
    request: () => ({ path: "/signin" }),
  },
  {
    route: "POST /signin",
    access: open(401, "nothing: a wrong password is refused"),
    request: (p) => ({ path: "/signin", form: { username: p.username, password: "wrong-pass-1" } }),
  },
  {
    route: "GET /signup",
    access: open(200, "nothing: the sign-up form"),
    request: () => ({ path: "/signup" }),
  },
  {
    route: "POST /signup",
    access: open(409, "nothing: a taken name is refused"),
    request: (p) => ({
      path: "/signup",
      form: { username: p.username, password: "another-password-1" },
    }),
  },
  {
    route: "POST /signout",
    access: open(303, "nothing: ends the caller's own session, if any"),
    request: () => ({ path: "/signout" }),
  },
  { route: "GET /dashboard", access: page(), request: () => ({ path: "/dashboard" }) },
  { route: "GET /conflicts", access: page(), request: () => ({ path: "/conflicts" }) },
  {
    route: "POST /conflicts/:id/resolve",
    access: page(404),
    request: (p) => ({
      path: `/conflicts/${p.conflictId}/resolve`,
      form: { resolutionType: "use_latest" },
    }),
  },
  {
    route: "GET /learn",
    access: open(200, "the catalog's paths (a signed-in student's own progress on them)"),
    request: () => ({ path: "/learn" }),
  },
  { route: "GET /achievements", access: page(), request: () => ({ path: "/achievements" }) },
  {
    route: "POST /achievements/:achievementId/sharing",
    access: page(404),
    request: (p) => ({
      path: `/achievements/${p.achievementId}/sharing`,
      form: { public: "false" },
    }),
  },
  {
    route: "GET /shared/:shareId",
    access: open(
      200,
      "a shared achievement: its title, type, date and the student's name; no ids or progress",
    ),
    request: (p) => ({ path: `/shared/${p.shareId}` }),
  },
  { route: "GET /insights", access: page(), request: () => ({ path: "/insights" }) },
  { route: "GET /tokens", access: page(), request: () => ({ path: "/tokens" }) },
  { route: "GET /settings", access: page(), request: () => ({ path: "/settings" }) },
  {
    route: "POST /settings/delete",
    access: page(303),
    request: () => ({ path: "/settings/delete", form: { password: "wrong-password-1" } }),
  },
  {
    route: "POST /tokens",
    access: page(303),
    request: () => ({ path: "/tokens", form: { name: "access matrix", scopes: "progress:read" } }),
  },
  {
    route: "POST /tokens/:id/delete",
    access: page(303),
    request: (p) => ({ path: `/tokens/${p.tokenId}/delete` }),
  },
  {
    route: "GET /sw.js",
    access: open(200, "nothing: the service worker script"),
    request: () => ({ path: "/sw.js" }),
  },
  { route: "ALL /xapi/*", access: { kind: "middleware" } },
  {
    route: "GET /xapi/about",
    access: open(200, "nothing: the xAPI versions"),
    request: () => ({ path: "/xapi/about" }),
  },
  {
    route: "POST /xapi/statements",
    access: ofA("events:write", 403),
    request: (p) => ({ path: "/xapi/statements", json: statementOfA(p), headers: XAPI }),
  },
  {
    route: "PUT /xapi/statements",
    access: ofA("events:write", 403),
    request: (p) => ({
      path: "/xapi/statements?statementId=6fbd6a5e-3b4c-4d8e-9f00-0000000000a1",
      json: statementOfA(p),
      headers: XAPI,
    }),
  },
  {
    route: "GET /xapi/statements",
    access: own("progress:read"),
    request: () => ({ path: "/xapi/statements", headers: XAPI }),
  },
  {
    route: "GET /xapi/statements/more/:token",
    access: own("progress:read"),
    request: () => ({ path: `/xapi/statements/more/${moreToken}`, headers: XAPI }),
  },
];
