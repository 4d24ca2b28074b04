import type { ComponentChildren, VNode } from "preact";
import { render } from "preact-render-to-string";
import ConflictsBadge from "../islands/conflicts_badge.tsx";
import LiveToasts from "../islands/live_toasts.tsx";
import { Island, IslandScope } from "./island.tsx";

/** The signed-in student as the layout shows them, with what keeps the navigation live. */
export interface NavUser {
  username: string;
  /** Unresolved conflicts at render: a count badge on the Conflicts link, kept live. */
  openConflictIds?: string[];
  /** Where the tab's live stream resumes (toasts and badge); without it the page is not live. */
  liveCursor?: string | null;
}

const PRODUCT = "Progress Sync";
const FAVICON = "data:image/svg+xml," +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">' +
      '<circle cx="16" cy="16" r="12" fill="none" stroke="#c7d2fe" stroke-width="6"/>' +
      '<circle cx="16" cy="16" r="12" fill="none" stroke="#4f46e5" stroke-width="6" ' +
      'stroke-dasharray="52 76" transform="rotate(-90 16 16)" stroke-linecap="round"/></svg>',
  );

/** Props of `<Layout>`: the page title, the signed-in user (if any), the current path for nav highlighting, and the page body. */
export interface LayoutProps {
  title: string;
  user?: NavUser | null;
  /** The request path; the matching nav link gets `aria-current="page"`. */
  path?: string;
  /** The page's meta description (default: the product's). */
  description?: string;
  /** Extra `<head>` elements, e.g. Open Graph tags. */
  head?: ComponentChildren;
  /** The admin console's own navigation instead of a student's or a visitor's (`"signed-out"`: its sign-in page). */
  admin?: boolean | "signed-out";
  children?: ComponentChildren;
}

function NavLink(
  props: {
    href: string;
    path: string | undefined;
    children: ComponentChildren;
  },
) {
  const current = props.path === props.href ||
    props.path?.startsWith(`${props.href}/`);
  return (
    <a
      class="nav-link"
      href={props.href}
      aria-current={current ? "page" : undefined}
    >
      {props.children}
    </a>
  );
}

function StudentNav(props: { user: NavUser; path: string | undefined }) {
  const { user, path } = props;
  return (
    <>
      <NavLink href="/dashboard" path={path}>Dashboard</NavLink>
      <NavLink href="/learn" path={path}>Learn</NavLink>
      <NavLink href="/achievements" path={path}>Achievements</NavLink>
      <NavLink href="/insights" path={path}>Insights</NavLink>
      <NavLink href="/conflicts" path={path}>
        Conflicts
        {user.liveCursor !== undefined
          ? (
            <Island
              name="conflicts_badge"
              component={ConflictsBadge}
              props={{ openConflictIds: user.openConflictIds ?? [] }}
            />
          )
          : <ConflictsBadge openConflictIds={user.openConflictIds ?? []} />}
      </NavLink>
      <NavLink href="/tokens" path={path}>API tokens</NavLink>
      <NavLink href="/settings" path={path}>Settings</NavLink>
      <form class="signout" method="post" action="/signout">
        <span class="nav-user" title={`Signed in as ${user.username}`}>{user.username}</span>
        <button class="button button-secondary button-small" type="submit">Sign out</button>
      </form>
    </>
  );
}

function AdminNav(props: { path: string | undefined; signedIn: boolean }) {
  if (!props.signedIn) {
    return (
      <>
        <NavLink href="/admin" path={props.path}>Console</NavLink>
        <a class="nav-link" href="/">Student app</a>
      </>
    );
  }
  return (
    <>
      <NavLink href="/admin" path={props.path}>Console</NavLink>
      <a class="nav-link" href="#endpoints-heading">Endpoints</a>
      <a class="nav-link" href="#deliveries-heading">Deliveries</a>
      <a class="nav-link" href="#audit-heading">Audit log</a>
      <form class="signout" method="post" action="/admin/signout">
        <span class="nav-user">Admin</span>
        <button class="button button-secondary button-small" type="submit">Sign out</button>
      </form>
    </>
  );
}

function GuestNav(props: { path: string | undefined }) {
  return (
    <>
      <NavLink href="/learn" path={props.path}>Learn</NavLink>
      <NavLink href="/signin" path={props.path}>Sign in</NavLink>
      <a class="button button-small" href="/signup">Sign up</a>
    </>
  );
}

/**
 * Renders the full HTML document: head, skip link, header with nav (a student's, the admin's or a
 * visitor's; a "Menu" disclosure on narrow screens), `<main id="main">`, footer and the toast region.
 */
export function Layout(
  { title, user = null, path, description, head, admin = false, children }: LayoutProps,
) {
  const fullTitle = title === PRODUCT ? PRODUCT : `${title} · ${PRODUCT}`;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <meta
          name="description"
          content={description ??
            "Progress Sync brings your learning progress from every tool into one live dashboard."}
        />
        <title>{fullTitle}</title>
        {head}
        <link rel="icon" href={FAVICON} />
        <link rel="stylesheet" href="/static/styles.css" />
      </head>
      <body>
        <a class="skip-link" href="#main">Skip to content</a>
        <header class="site-header">
          <div class="site-header-inner">
            <a class="brand" href={admin ? "/admin" : user ? "/dashboard" : "/"}>
              <svg
                class="brand-mark"
                viewBox="0 0 32 32"
                aria-hidden="true"
                focusable="false"
              >
                <circle cx="16" cy="16" r="12" />
                <circle
                  cx="16"
                  cy="16"
                  r="12"
                  pathLength="100"
                  stroke-dasharray="68 100"
                />
              </svg>
              <span>{PRODUCT}</span>
            </a>
            <details class="nav-menu" data-testid="nav-menu">
              <summary class="nav-menu-button">Menu</summary>
              <nav class="site-nav" aria-label="Main">
                {admin
                  ? <AdminNav path={path} signedIn={admin === true} />
                  : user
                  ? <StudentNav user={user} path={path} />
                  : <GuestNav path={path} />}
              </nav>
            </details>
          </div>
        </header>
        <main id="main" class="page" tabIndex={-1}>
          {children}
        </main>
        <footer class="site-footer">
          <p>
            {PRODUCT} — learning progress from every tool, in one place.
          </p>
        </footer>
        {user && user.liveCursor !== undefined
          ? (
            <Island
              name="live_toasts"
              component={LiveToasts}
              props={{ liveCursor: user.liveCursor }}
            />
          )
          : <div id="toasts" class="toasts" role="status" aria-live="polite"></div>}
        <script type="module" src="/static/sw_register.js"></script>
      </body>
    </html>
  );
}

/** Renders a page node to an HTML string starting with `<!doctype html>`, emitting each island's script once. */
export function renderPage(node: VNode): string {
  return "<!doctype html>" + render(<IslandScope>{node}</IslandScope>);
}
