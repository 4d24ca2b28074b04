import { Layout, type NavUser, renderPage } from "./layout.tsx";

const TITLES: Record<number, string> = {
  403: "Not allowed",
  404: "Page not found",
  413: "Too large",
  429: "Too many attempts",
};

/**
 * The one HTML error page: a status, a sentence saying what went wrong, the navigation of whoever
 * is signed in, and a way back (to their dashboard when signed in).
 */
export function renderErrorPage(
  status: number,
  message: string,
  options: { user?: NavUser | null } = {},
): string {
  const title = TITLES[status] ?? (status >= 500 ? "Something went wrong" : "Request not accepted");
  const user = options.user ?? null;
  return renderPage(
    <Layout title={title} user={user}>
      <section class="card stack error-page" data-testid="error-page">
        <p class="muted">Error {status}</p>
        <h1>{title}</h1>
        <p>{message}</p>
        <p>
          <a class="button" href={user ? "/dashboard" : "/"}>
            {user ? "Back to your dashboard" : "Back to the start"}
          </a>
        </p>
      </section>
    </Layout>,
  );
}
