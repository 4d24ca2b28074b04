import { Layout, renderPage } from "./layout.tsx";

const TITLES: Record<number, string> = {
  403: "Not allowed",
  404: "Page not found",
  413: "Too large",
  429: "Too many attempts",
};

/** The one HTML error page: a status, a sentence saying what went wrong, and a way back. */
export function renderErrorPage(status: number, message: string): string {
  const title = TITLES[status] ?? (status >= 500 ? "Something went wrong" : "Request not accepted");
  return renderPage(
    <Layout title={title}>
      <section class="card stack error-page">
        <p class="muted">Error {status}</p>
        <h1>{title}</h1>
        <p>{message}</p>
        <p>
          <a class="button" href="/">Back to the start</a>
        </p>
      </section>
    </Layout>,
  );
}
