import { Hono } from "hono";
import { Layout, renderPage } from "../components/layout.tsx";
import {
  type ApiToken,
  createApiToken,
  deleteApiToken,
  listApiTokens,
} from "../lib/auth/account_store.ts";
import { type Scope, SESSION_SCOPES } from "../lib/auth/principal.ts";
import { recordAudit } from "../lib/audit/audit_log.ts";
import type { AppEnv } from "../lib/http/app_env.ts";
import { pageUser, pageUserWithNav, redirectToSignIn } from "../lib/http/page_session.ts";

interface TokensPageProps {
  user: { username: string };
  tokens: ApiToken[];
  origin: string;
  created?: { name: string; secret: string } | null;
  error?: string | null;
}

function curlExample(origin: string, secret: string): string {
  return [
    `curl -X POST ${origin}/api/progress-sync/events \\`,
    `  -H "Authorization: Bearer ${secret}" \\`,
    `  -H "Content-Type: application/json" \\`,
    `  -d '{"eventType":"video_completed","sourceSystem":"video_player","eventData":{"activityId":"intro-video","activityType":"video","completionStatus":"completed","timeSpent":12}}'`,
  ].join("\n");
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
          <pre class="secret"><code data-testid="token-secret">{props.created.secret}</code></pre>
          <p>Try it:</p>
          <pre><code>{curlExample(props.origin, props.created.secret)}</code></pre>
        </section>
      )}
      <div class="grid">
        <section class="card" aria-labelledby="new-heading">
          <div class="card-header">
            <h2 id="new-heading">New token</h2>
          </div>
          <form class="form" method="post" action="/tokens">
            {props.error && <p class="form-error" role="alert">{props.error}</p>}
            <div class="field">
              <label for="token-name">Name</label>
              <input
                id="token-name"
                name="name"
                required
                maxLength={80}
                placeholder="e.g. video player"
              />
            </div>
            <fieldset class="field">
              <legend class="label">Scopes</legend>
              {SESSION_SCOPES.map((scope) => (
                <label class="checkbox" key={scope}>
                  <input type="checkbox" name="scopes" value={scope} checked /> <code>{scope}</code>
                </label>
              ))}
            </fieldset>
            <div class="form-actions">
              <button class="button" type="submit">Create token</button>
            </div>
          </form>
        </section>
        <section class="card" aria-labelledby="list-heading">
          <div class="card-header">
            <h2 id="list-heading">Your tokens</h2>
          </div>
          {props.tokens.length === 0
            ? <p class="empty">No tokens yet.</p>
            : (
              <div class="table-wrap">
                <table class="table">
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
                      <tr key={token.id}>
                        <td>{token.name}</td>
                        <td>{token.scopes.map((s) => <code key={s}>{s}</code>)}</td>
                        <td>
                          <time dateTime={token.createdAt}>
                            {token.createdAt.slice(0, 16).replace("T", " ")}
                          </time>
                        </td>
                        <td>
                          <form method="post" action={`/tokens/${token.id}/delete`}>
                            <button
                              class="button button-danger button-small"
                              type="submit"
                              aria-label={`Revoke token ${token.name}`}
                            >
                              Revoke
                            </button>
                          </form>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
        </section>
      </div>
    </Layout>
  );
}

/** `/tokens`: create (secret shown once), list and revoke the signed-in student's API tokens. */
export const tokensPage = new Hono<AppEnv>()
  .get("/", async (c) => {
    const user = await pageUserWithNav(c);
    if (!user) return redirectToSignIn(c);
    const tokens = await listApiTokens(c.get("deps").kv, user.userId);
    return c.html(
      renderPage(<TokensPage user={user} tokens={tokens} origin={new URL(c.req.url).origin} />),
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
    const origin = new URL(c.req.url).origin;
    if (!name || scopes.length === 0) {
      const tokens = await listApiTokens(kv, user.userId);
      return c.html(
        renderPage(
          <TokensPage
            user={user}
            tokens={tokens}
            origin={origin}
            error={!name ? "Give the token a name." : "Choose at least one scope."}
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
    const tokens = await listApiTokens(kv, user.userId);
    return c.html(
      renderPage(
        <TokensPage user={user} tokens={tokens} origin={origin} created={{ name, secret }} />,
      ),
      201,
    );
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
