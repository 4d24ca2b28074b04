import { Hono } from "hono";
import type { AppEnv } from "../lib/http/app_env.ts";
import { achievementsPage } from "./achievements.tsx";
import { achievementSharingRoutes } from "./achievement_sharing.ts";
import { conflictsPage } from "./conflicts.tsx";
import { dashboardPage } from "./dashboard.tsx";
import { indexPage } from "./index.tsx";
import { insightsPage } from "./insights.tsx";
import { learnPage } from "./learn.tsx";
import { sharedAchievementPage } from "./shared.tsx";
import { serviceWorkerRoutes } from "./service_worker.ts";
import { signInPageRoutes } from "./signin.tsx";
import { signOutRoutes } from "./signout.ts";
import { signUpPageRoutes } from "./signup.tsx";
import { settingsPage } from "./settings.tsx";
import { tokensPage } from "./tokens.tsx";

/** The HTML pages. */
export const pageRoutes = new Hono<AppEnv>()
  .route("/", indexPage)
  .route("/signin", signInPageRoutes)
  .route("/signup", signUpPageRoutes)
  .route("/signout", signOutRoutes)
  .route("/dashboard", dashboardPage)
  .route("/conflicts", conflictsPage)
  .route("/learn", learnPage)
  .route("/achievements", achievementsPage)
  .route("/achievements", achievementSharingRoutes)
  .route("/shared", sharedAchievementPage)
  .route("/insights", insightsPage)
  .route("/tokens", tokensPage)
  .route("/sw.js", serviceWorkerRoutes)
  .route("/settings", settingsPage);
