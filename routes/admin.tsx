import { Hono } from "hono";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { Island } from "../components/island.tsx";
import { Layout, renderPage } from "../components/layout.tsx";
import AdminConsole from "../islands/admin_console.tsx";
import { recordAudit } from "../lib/audit/audit_log.ts";
import { findApiTokenByHash } from "../lib/auth/account_store.ts";
import { clearFailures, reserveAttempt, type ThrottleKey } from "../lib/auth/throttle_store.ts";
import { clientAddress } from "../lib/http/client_address.ts";
import { adminCookieName, servedOverHttps } from "../lib/http/cookies.ts";
import { toHttpError } from "../lib/http/error_mapping.ts";
import {
  ADMIN_SESSION_TTL_MS,
  type AdminProof,
  createAdminSession,
  deleteAdminSession,
  getAdminSession,
} from "../lib/auth/admin_session.ts";
import { constantTimeEqual, hashSecret } from "../lib/auth/secrets.ts";
import { loadConsoleData } from "../lib/health/console_data.ts";
import type { AppEnv } from "../lib/http/app_env.ts";
import { checkSameOrigin, requireScope } from "../lib/http/auth_middleware.ts";
import { hasScope } from "../lib/auth/principal.ts";
import { auditRoutes } from "./api/audit.ts";
import { healthRoutes } from "./api/progress_sync/health.ts";
import { repairRoutes } from "./api/progress_sync/repair.ts";
import { webhookRoutes } from "./api/webhooks.ts";
import { WEBHOOK_EVENT_TYPES } from "../lib/webhooks/endpoint_store.ts";

/** How often the console refreshes. */
export const CONSOLE_REFRESH_MS = 5000;
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

async function adminProof(c: Context<AppEnv>, pasted: string): Promise<AdminProof | null> {
  const { kv, adminToken } = c.get("deps");
  const hash = await hashSecret(pasted);
  if (adminToken && constantTimeEqual(hash, await hashSecret(adminToken))) {
    return { via: "ADMIN_TOKEN", hash };
  }
  const token = pasted.startsWith("ps_") ? await findApiTokenByHash(kv, hash) : null;
  return token?.scopes.includes("admin") ? { via: `token:${token.id}`, hash } : null;
}

function signInPage(error: string | null): string {
  return renderPage(
    <Layout title="Admin sign-in" path="/admin" admin="signed-out">
      <section class="auth card">
        <h1>Admin console</h1>
        <p class="muted">
          Paste the deployment's <code>ADMIN_TOKEN</code> (or an API token with the{" "}
          <code>admin</code>{" "}
          scope). It is checked once; the browser keeps only a session cookie for this console,
          which expires after 12 hours.
        </p>
        <form class="form" method="post" action="/admin/signin">
          {error && <p class="form-error" role="alert">{error}</p>}
          <div class="field">
            <label for="admin-token">Admin token</label>
            <input
              id="admin-token"
              name="token"
              type="password"
              required
              autocomplete="off"
              spellcheck={false}
            />
          </div>
          <div class="form-actions">
            <button class="button" type="submit">Sign in</button>
          </div>
        </form>
      </section>
    </Layout>,
  );
}

/**
 * For `/admin` paths: a valid admin console cookie makes the caller the admin (it takes
 * precedence over a student session); its writes must come from this site's origin.
 */
function adminSession() {
  return async function adminSession(c: Context<AppEnv>, next: () => Promise<void>) {
    const secret = getCookie(c, adminCookieName(c));
    if (secret && await getAdminSession(c.get("deps"), secret)) {
      if (!SAFE_METHODS.has(c.req.method)) checkSameOrigin(c);
      c.set("principal", { userId: null, ownerId: "admin", scopes: ["admin"], via: "admin_token" });
    } else if (c.get("principal")?.via === "session") {
      // A student's session never reaches the admin API.
      c.set("principal", null);
    }
    await next();
  };
}

/**
 * `/admin`: the admin console (health, alerts, systems, webhook endpoints, deliveries, dead
 * letters, audit), sign-in by pasting the admin token, and `/admin/api/*`, the admin API for the
 * console's cookie (the same route modules as `/api`).
 */
export const adminRoutes = new Hono<AppEnv>()
  .use("*", adminSession())
  .get("/", async (c) => {
    const principal = c.get("principal");
    if (!principal || !hasScope(principal, "admin")) return c.html(signInPage(null));
    const { kv, processor, deliveries } = c.get("deps");
    const initial = await loadConsoleData(kv, { processor, deliveries });
    return c.html(renderPage(
      <Layout title="Admin console" path="/admin" admin>
        <div class="page-header">
          <div>
            <h1>Admin console</h1>
            <p>
              Sync health, webhook endpoints and deliveries, and the audit log, refreshed every few
              seconds. Times are in UTC.
            </p>
          </div>
        </div>
        <Island
          name="admin_console"
          component={AdminConsole}
          props={{ initial, refreshMs: CONSOLE_REFRESH_MS, eventTypes: [...WEBHOOK_EVENT_TYPES] }}
        />
      </Layout>,
    ));
  })
  .post("/signin", async (c) => {
    checkSameOrigin(c);
    const { kv } = c.get("deps");
    const form = await c.req.parseBody();
    const pasted = String(form.token ?? "").trim();
    const throttle: ThrottleKey = { parts: ["admin", clientAddress(c)] };
    try {
      await reserveAttempt(kv, [throttle], {
        nowMs: Date.now(),
        message: "Too many failed attempts from this address",
      });
    } catch (error) {
      const known = toHttpError(error);
      if (!known) throw error;
      return c.html(signInPage(`${known.message}.`), known.status as 429);
    }
    const proof = pasted ? await adminProof(c, pasted) : null;
    if (!proof) return c.html(signInPage("That is not an admin token."), 401);
    await clearFailures(kv, throttle);
    const secret = await createAdminSession(kv, proof);
    setCookie(c, adminCookieName(c), secret, {
      httpOnly: true,
      sameSite: "Strict",
      path: "/admin",
      secure: servedOverHttps(c),
      maxAge: Math.floor(ADMIN_SESSION_TTL_MS / 1000),
    });
    await recordAudit(kv, {
      actor: "admin",
      action: "admin.signed_in",
      details: { via: proof.via },
    });
    return c.redirect("/admin", 303);
  })
  .post("/signout", async (c) => {
    checkSameOrigin(c);
    const secret = getCookie(c, adminCookieName(c));
    if (secret) {
      await deleteAdminSession(c.get("deps").kv, secret);
      await recordAudit(c.get("deps").kv, { actor: "admin", action: "admin.signed_out" });
    }
    deleteCookie(c, adminCookieName(c), { path: "/admin", secure: servedOverHttps(c) });
    return c.redirect("/admin", 303);
  })
  .get("/api/console", async (c) => {
    requireScope(c, "admin");
    const { kv, processor, deliveries } = c.get("deps");
    return c.json(await loadConsoleData(kv, { processor, deliveries }));
  })
  .route("/api/webhooks", webhookRoutes)
  .route("/api/health", healthRoutes)
  .route("/api/repair", repairRoutes)
  .route("/api/audit", auditRoutes);
