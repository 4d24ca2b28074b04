import { Hono } from "hono";
import { Layout, renderPage } from "../components/layout.tsx";
import type { AppEnv } from "../lib/http/app_env.ts";
import { pageUser } from "./_page_session.ts";

/** `/`: the welcome page (signed-in students go straight to the dashboard). */
export const indexPage = new Hono<AppEnv>().get("/", (c) => {
  if (pageUser(c)) return c.redirect("/dashboard", 303);
  return c.html(renderPage(
    <Layout title="Progress Sync" path="/">
      <section class="hero stack">
        <h1>All your learning progress, in one live picture</h1>
        <p class="lead">
          Your video player, todo list, calendar, learning paths, quizzes and tutor chat report what
          you did. Progress Sync keeps every report, works out where you stand, and shows it here
          the moment it happens.
        </p>
        <div class="cluster">
          <a class="button" href="/signup">Create an account</a>
          <a class="button button-secondary" href="/signin">Sign in</a>
        </div>
      </section>
    </Layout>,
  ));
});
