import { Hono } from "hono";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { Island } from "../components/island.tsx";
import { Layout, renderPage } from "../components/layout.tsx";
import CopyLink from "../islands/copy_link.tsx";
import {
  type ApiToken,
  createApiToken,
  deleteApiToken,
  listApiTokens,
} from "../lib/auth/account_store.ts";
import { type Scope, SESSION_SCOPES } from "../lib/auth/principal.ts";
import { recordAudit } from "../lib/audit/audit_log.ts";
import type { AppEnv } from "../lib/http/app_env.ts";
import type { NavUser } from "../components/layout.tsx";
import { pageUser, pageUserWithNav, redirectToSignIn } from "./_page_session.ts";

/** The one-time hand-over of a new token's secret from the POST to the page it redirects to. */
const REVEAL_COOKIE = "ps_token_reveal";
/** How long the hand-over lasts: long enough for the redirect, never for a later visit. */
const REVEAL_SECONDS = 60;

interface Reveal {
  userId: string;
  name: string;
  secret: string;
}

interface TokensPageProps {
  user: NavUser;
  tokens: ApiToken[];
  origin: string;
  created?: { name: string; secret: string } | null;
  error?: { field: "name" | "scopes"; message: string } | null;
  name?: string;
}

function curlExample(origin: string, secret: string): string {
  return [
    `curl -X POST ${origin}/api/progress-sync/events \\`,
    `  -H "Authorization: Bearer ${secret}" \\`,
    `  -H "Content-Type: application/json" \\`,
    `  -d '{"eventType":"video_completed","sourceSystem":"video_player","eventData":{"activityId":"intro-video","activityType":"video","completionStatus":"completed","timeSpent":12}}'`,
  ].join("\n");
}

function NewTokenForm(
  props: { name: string; error: { field: "name" | "scopes"; message: string } | null },
) {
  const nameError = props.error?.field === "name" ? props.error.message : null;
  const scopesError = props.error?.field === "scopes" ? props.error.message : null;
  return (
    <form class="form" method="post" action="/tokens" novalidate>
      <div class="field">
        <label for="token-name">Name</label>
        <input
          id="token-name"
          name="name"
          required
          maxLength={80}
          value={props.name}
          placeholder="e.g. video player"
          aria-invalid={nameError ? "true" : undefined}
          aria-describedby={nameError ? "token-name-error" : undefined}
        />
        {nameError && <p id="token-name-error" class="field-error" role="alert">{nameError}</p>}
      </div>
      <fieldset
        class="field"
        aria-invalid={scopesError ? "true" : undefined}
        aria-describedby={scopesError ? "token-scopes-error" : undefined}
      >
        <legend class="label">Scopes</legend>
        {SESSION_SCOPES.map((scope) => (
          <label class="checkbox" key={scope}>
            <input type="checkbox" name="scopes" value={scope} checked /> <code>{scope}</code>
          </label>
        ))}
        {scopesError && (
          <p id="token-scopes-error" class="field-error" role="alert">{scopesError}</p>
        )}
      </fieldset>
      <div class="form-actions">
        <button class="button" type="submit">Create token</button>
      </div>
    </form>
  );
}

function TokenTable(props: { tokens: ApiToken[] }) {
  return (
    <table class="table token-table" data-testid="token-table">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Scopes</th>
          <th scope="col">Created</th>
          <th scope="col">
            <span class="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {props.tokens.map((token) => (
          <tr key={token.id} data-testid="token-row">
            <td class="token-name">{token.name}</td>
            <td>
              <ul class="chips" aria-label="Scopes">
                {token.scopes.map((s) => <li key={s} class="chip">{s}</li>)}
              </ul>
            </td>
            <td>
              <time dateTime={token.createdAt}>
                {token.createdAt.slice(0, 16).replace("T", " ")} UTC
              </time>
            </td>
            <td class="token-actions">
              <details class="confirm" data-testid="revoke">
                <summary class="button button-danger button-small">
                  Revoke<span class="visually-hidden">token {token.name}</span>
                </summary>
                <form class="confirm-panel" method="post" action={`/tokens/${token.id}/delete`}>
                  <p>Scripts using “{token.name}” stop working at once.</p>
                  <button class="button button-danger button-small" type="submit">
                    Yes, revoke
                  </button>
                </form>
              </details>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function TokensPage(props: TokensPageProps) {
  return (
    <Layout title="API tokens" user={props.user} path="/tokens">
      <div class="page-header">
        <div>
          <h1>API tokens</h1>
          <p>Let your scripts and learning tools post progress and read it back.</p>
        </div>
      </div>
      {props.created && (
        <section
          class="card alert-success stack"
          aria-labelledby="created-heading"
          data-testid="created-token"
        >
          <h2 id="created-heading">Token “{props.created.name}” created</h2>
          <p>Copy it now: it is shown only once and stored only as a hash.</p>
          <Island
            name="copy_link"
            component={CopyLink}
            props={{ url: props.created.secret, label: "Your new token", what: "token" }}
          />
          <p>Try it:</p>
          <pre><code>{curlExample(props.origin, props.created.secret)}</code></pre>
        </section>
      )}
      <div class="sections">
        <section class="card" aria-labelledby="list-heading">
          <div class="card-header">
            <h2 id="list-heading">Your tokens</h2>
          </div>
          {props.tokens.length === 0
            ? <p class="empty">No tokens yet.</p>
            : <TokenTable tokens={props.tokens} />}
        </section>
        <section class="card" aria-labelledby="new-heading">
          <div class="card-header">
            <h2 id="new-heading">New token</h2>
          </div>
          <NewTokenForm name={props.name ?? ""} error={props.error ?? null} />
        </section>
      </div>
    </Layout>
  );
}

function takeReveal(c: Context<AppEnv>, userId: string): Reveal | null {
  const raw = getCookie(c, REVEAL_COOKIE);
  if (raw === undefined) return null;
  deleteCookie(c, REVEAL_COOKIE, { path: "/tokens" });
  try {
    const reveal = JSON.parse(raw) as Reveal;
    return reveal.userId === userId ? reveal : null;
  } catch {
    return null;
  }
}

/**
 * `/tokens`: create, list and revoke the signed-in student's API tokens. Creating answers with a
 * redirect (post/redirect/get): the new secret rides a short-lived HttpOnly cookie to the next
 * page view, which shows it once and deletes it, so a reload never posts the form again.
 */
export const tokensPage = new Hono<AppEnv>()
  .get("/", async (c) => {
    const user = await pageUserWithNav(c);
    if (!user) return redirectToSignIn(c);
    const tokens = await listApiTokens(c.get("deps").kv, user.userId);
    const reveal = takeReveal(c, user.userId);
    c.header("cache-control", "no-store");
    return c.html(
      renderPage(
        <TokensPage
          user={user}
          tokens={tokens}
          origin={new URL(c.req.url).origin}
          created={reveal && { name: reveal.name, secret: reveal.secret }}
        />,
      ),
    );
  })
  .post("/", async (c) => {
    const user = await pageUserWithNav(c);
    if (!user) return redirectToSignIn(c);
    const { kv } = c.get("deps");
    const form = await c.req.parseBody({ all: true });
    const name = String(form.name ?? "").trim().slice(0, 80);
    const requested = ([] as unknown[]).concat(form.scopes ?? []).map(String);
    const scopes = SESSION_SCOPES.filter((s) => requested.includes(s)) as Scope[];
    if (!name || scopes.length === 0) {
      const tokens = await listApiTokens(kv, user.userId);
      return c.html(
        renderPage(
          <TokensPage
            user={user}
            tokens={tokens}
            origin={new URL(c.req.url).origin}
            name={name}
            error={!name
              ? { field: "name", message: "Give the token a name." }
              : { field: "scopes", message: "Choose at least one scope." }}
          />,
        ),
        400,
      );
    }
    const { token, secret } = await createApiToken(kv, {
      ownerId: user.userId,
      userId: user.userId,
      name,
      scopes,
    });
    await recordAudit(kv, {
      actor: user.userId,
      action: "token.created",
      target: token.id,
      details: { name, scopes, userId: user.userId },
    });
    const reveal: Reveal = { userId: user.userId, name, secret };
    setCookie(c, REVEAL_COOKIE, JSON.stringify(reveal), {
      httpOnly: true,
      sameSite: "Strict",
      path: "/tokens",
      secure: new URL(c.req.url).protocol === "https:",
      maxAge: REVEAL_SECONDS,
    });
    return c.redirect("/tokens", 303);
  })
  .post("/:id/delete", async (c) => {
    const user = pageUser(c);
    if (!user) return redirectToSignIn(c);
    const id = c.req.param("id");
    if (await deleteApiToken(c.get("deps").kv, user.userId, id)) {
      await recordAudit(c.get("deps").kv, {
        actor: user.userId,
        action: "token.deleted",
        target: id,
      });
    }
    return c.redirect("/tokens", 303);
  });
