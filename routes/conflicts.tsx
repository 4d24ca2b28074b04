import { Hono } from "hono";
import { titleFromId } from "../components/format.ts";
import { Island } from "../components/island.tsx";
import { Layout, renderPage } from "../components/layout.tsx";
import type { NavUser } from "../components/layout.tsx";
import ConflictNotice from "../islands/conflict_notice.tsx";
import { getActivities } from "../lib/catalog/catalog_store.ts";
import {
  type ConflictEvent,
  type ConflictType,
  type ProgressConflict,
  systemLabel,
  timeLabel,
} from "../lib/core/conflict.ts";
import { listConflicts } from "../lib/conflicts/conflict_store.ts";
import {
  offersSuggestion,
  type StudentHistory,
  studentHistory,
} from "../lib/core/conflict_history.ts";
import { reportedPercent } from "../lib/core/conflict_resolution.ts";
import { reportedTimeMs } from "../lib/core/reported_times.ts";
import { resolveConflict } from "../lib/conflicts/resolve_conflict.ts";
import { RESOLUTION_TYPES, type ResolutionType } from "../lib/core/event_schema.ts";
import type { AppEnv } from "../lib/http/app_env.ts";
import { HttpError } from "../lib/http/http_error.ts";
import { toHttpError } from "../lib/http/error_mapping.ts";
import { pageUser, redirectToSignIn } from "./_page_session.ts";
import { latestNotificationId } from "../lib/live/notification_store.ts";

/** How many history rows the page lists. */
const HISTORY_SHOWN = 30;
/** How many settled conflicts are read to make those rows. */
const HISTORY_READ = 200;

const TYPE_LABEL: Record<ConflictType, string> = {
  timestamp_mismatch: "Completion times differ",
  completion_status_conflict: "Outcomes disagree",
  duplicate_event: "Reported twice",
  data_inconsistency: "Data does not add up",
};

const RESOLVED_BY: Record<string, string> = {
  auto: "Automatically",
  student: "By you",
  system: "By an integration",
};

interface ConflictsPageProps {
  user: NavUser;
  open: ProgressConflict[];
  history: StudentHistory;
  titles: Record<string, string>;
  liveCursor: string | null;
  /** The conflict just resolved, to confirm what happened. */
  justResolved?: ProgressConflict | null;
  error?: string | null;
}

/** A suggestion's explanation phrased as advice: "Chose X's report: …" → "use X's report: …". */
function suggestionText(explanation: string): string {
  return explanation.replace(/^(Chose|Used) /, "use ").replace(/^Merged /, "merge ");
}

function titleOf(titles: Record<string, string>, activityId: string): string {
  return titles[activityId] ?? titleFromId(activityId);
}

/** One system's report, as a column of the side-by-side comparison. */
function Report(props: { conflict: ProgressConflict; event: ConflictEvent }) {
  const { conflict, event } = props;
  const data = event.eventData;
  const status = data.completionStatus;
  const completedAt = status === "completed" ? new Date(reportedTimeMs(event)).toISOString() : null;
  const system = systemLabel(event.sourceSystem);
  return (
    <div class="conflict-side" data-event-id={event.id} data-testid="conflict-side">
      <p class="conflict-side-head">
        <span class={`badge badge-${event.sourceSystem}`}>{system}</span>
        <span class="muted small">{event.eventType.replaceAll("_", " ")}</span>
      </p>
      <dl class="facts">
        <div>
          <dt>Said</dt>
          <dd>
            <span class={`status status-${status}`} data-testid="side-status">
              {status.replace("_", " ")}
            </span>
          </dd>
        </div>
        <div>
          <dt>Progress</dt>
          <dd data-testid="side-progress">{reportedPercent(event)}%</dd>
        </div>
        <div>
          <dt>When</dt>
          <dd>
            <time dateTime={event.timestamp}>{timeLabel(event.timestamp)}</time>
          </dd>
        </div>
        {completedAt && completedAt !== event.timestamp && (
          <div>
            <dt>Completed at</dt>
            <dd>
              <time dateTime={completedAt}>{timeLabel(completedAt)}</time>
            </dd>
          </div>
        )}
        {event.receivedAt !== event.timestamp &&
          Math.abs(Date.parse(event.receivedAt) - Date.parse(event.timestamp)) > 60_000 && (
          <div>
            <dt>Received</dt>
            <dd>
              <time dateTime={event.receivedAt}>{timeLabel(event.receivedAt)}</time>
            </dd>
          </div>
        )}
        {data.timeSpent !== undefined && (
          <div>
            <dt>Time spent</dt>
            <dd>{data.timeSpent} min</dd>
          </div>
        )}
        {data.score !== undefined && (
          <div>
            <dt>Score</dt>
            <dd>{data.score}</dd>
          </div>
        )}
      </dl>
      {conflict.status === "unresolved" && (
        <form method="post" action={`/conflicts/${conflict.id}/resolve`}>
          <input type="hidden" name="resolutionType" value="manual_review" />
          <input type="hidden" name="eventId" value={event.id} />
          <button class="button button-small" type="submit" data-testid="use-report">
            Use {system}'s report
          </button>
        </form>
      )}
    </div>
  );
}

function ConflictCard(props: { conflict: ProgressConflict; title: string }) {
  const { conflict, title } = props;
  const suggestion = conflict.suggestedResolution;
  const headingId = `conflict-${conflict.id}`;
  return (
    <article
      class="card conflict"
      aria-labelledby={headingId}
      data-conflict-id={conflict.id}
      data-testid="conflict"
    >
      <div class="card-header">
        <div>
          <h3 id={headingId}>{title}</h3>
          <p class="card-subtitle">{TYPE_LABEL[conflict.conflictType]}</p>
        </div>
        <span class={`badge impact impact-${conflict.impact}`}>{conflict.impact} impact</span>
      </div>
      <p class="conflict-reasoning">{suggestion.reasoning}</p>
      <div class="conflict-sides">
        {conflict.conflictingEvents.map((event) => (
          <Report key={event.id} conflict={conflict} event={event} />
        ))}
      </div>
      <div class="conflict-actions">
        {offersSuggestion(conflict)
          ? (
            <>
              <p class="muted small" data-testid="suggestion">
                Suggestion ({Math.round(suggestion.confidence * 100)}% sure):{" "}
                {suggestionText(suggestion.resolvedData.resolution?.explanation ?? "")}
              </p>
              <form method="post" action={`/conflicts/${conflict.id}/resolve`}>
                <input type="hidden" name="resolutionType" value={suggestion.resolutionType} />
                <button class="button button-secondary button-small" type="submit">
                  Accept the suggestion
                </button>
              </form>
            </>
          )
          : (
            <p class="muted small" data-testid="plain-choice">
              We can't tell which is right: choose the report that matches what you did.
            </p>
          )}
      </div>
    </article>
  );
}

function ConflictsPage(props: ConflictsPageProps) {
  const { open, history, titles, justResolved } = props;
  const rows = history.rows.slice(0, HISTORY_SHOWN);
  return (
    <Layout title="Conflicts" user={props.user} path="/conflicts">
      <div class="page-header">
        <div>
          <h1>Conflicts</h1>
          <p>
            When your learning tools disagree, most differences settle on their own. The ones below
            need you: compare what each tool said, and choose.
          </p>
        </div>
      </div>
      <Island
        name="conflict_notice"
        component={ConflictNotice}
        props={{
          openConflictIds: open.map((c) => c.id),
          liveCursor: props.liveCursor,
          onConflictsPage: true,
        }}
      />
      {props.error && <p class="alert" role="alert">{props.error}</p>}
      {justResolved?.resolution && (
        <section
          class="card alert-success conflicts-block"
          role="status"
          data-testid="resolution-result"
        >
          <p>
            <strong>{titleOf(titles, justResolved.activityId)}</strong> — resolved.{" "}
            {justResolved.resolution.explanation}
          </p>
        </section>
      )}
      <section class="stack conflicts-block" aria-labelledby="open-heading">
        <h2 id="open-heading">
          Waiting for you <span class="muted" data-testid="open-count">({open.length})</span>
        </h2>
        {open.length === 0
          ? (
            <p class="empty" data-testid="no-conflicts">
              Nothing to decide: your tools agree.
            </p>
          )
          : open.map((c) => (
            <ConflictCard key={c.id} conflict={c} title={titleOf(titles, c.activityId)} />
          ))}
      </section>
      <section class="card" aria-labelledby="history-heading">
        <div class="card-header">
          <h2 id="history-heading">Resolved</h2>
        </div>
        {history.hidden > 0 && (
          <p class="muted small" data-testid="merged-count">
            {history.hidden} repeated {history.hidden === 1 ? "report was" : "reports were"}{" "}
            merged on their own without changing your progress; they are not listed.
          </p>
        )}
        {rows.length === 0
          ? (
            <p class="empty" data-testid="no-history">
              {open.length > 0
                ? "Nothing resolved yet: the conflicts above wait for your decision."
                : history.hidden > 0
                ? "Nothing here needed you."
                : "No conflicts yet."}
            </p>
          )
          : (
            <table class="table stack-table" data-testid="resolved-conflicts">
              <thead>
                <tr>
                  <th scope="col">Detected</th>
                  <th scope="col">Activity</th>
                  <th scope="col">Conflict</th>
                  <th scope="col">Systems</th>
                  <th scope="col">How it was settled</th>
                </tr>
              </thead>
              <tbody>
                {rows.map(({ conflict: c, count }) => (
                  <tr key={c.id} data-conflict-id={c.id} data-count={count}>
                    <td data-label="Detected">
                      <time dateTime={c.detectedAt}>{timeLabel(c.detectedAt)}</time>
                      {count > 1 && <span class="muted small">{` (${count} times)`}</span>}
                    </td>
                    <td data-label="Activity">{titleOf(titles, c.activityId)}</td>
                    <td data-label="Conflict">{TYPE_LABEL[c.conflictType]}</td>
                    <td data-label="Systems">
                      {[
                        ...new Set(c.conflictingEvents.map((e) =>
                          e.sourceSystem
                        )),
                      ].map((s) => <span key={s} class={`badge badge-${s}`}>{systemLabel(s)}
                      </span>)}
                    </td>
                    <td data-label="Settled">
                      <strong>{RESOLVED_BY[c.resolution?.resolvedBy ?? "auto"]}</strong>:{" "}
                      {c.resolution?.explanation}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
      </section>
    </Layout>
  );
}

async function renderConflicts(
  kv: Deno.Kv,
  user: { userId: string; username: string },
  extra: { justResolvedId?: string | undefined; error?: string | null } = {},
): Promise<string> {
  const liveCursor = await latestNotificationId(kv, user.userId);
  const [open, resolved] = await Promise.all([
    listConflicts(kv, user.userId, { status: "unresolved" }),
    listConflicts(kv, user.userId, { status: "resolved", limit: HISTORY_READ }),
  ]);
  const history = studentHistory(resolved);
  const catalog = await getActivities(
    kv,
    [...open, ...history.rows.map((r) => r.conflict)].map((c) => c.activityId),
  );
  const titles = Object.fromEntries([...catalog.values()].map((a) => [a.activityId, a.title]));
  const justResolved = extra.justResolvedId
    ? resolved.find((c) => c.id === extra.justResolvedId) ?? null
    : null;
  return renderPage(
    <ConflictsPage
      user={{
        username: user.username,
        openConflictIds: open.map((c) => c.id),
        liveCursor,
      }}
      open={open}
      history={history}
      titles={titles}
      liveCursor={liveCursor}
      justResolved={justResolved}
      error={extra.error ?? null}
    />,
  );
}

/** `/conflicts`: the student's open conflicts side by side with resolve buttons, and the resolved ones. */
export const conflictsPage = new Hono<AppEnv>()
  .get("/", async (c) => {
    const user = pageUser(c);
    if (!user) return redirectToSignIn(c);
    return c.html(
      await renderConflicts(c.get("deps").kv, user, {
        justResolvedId: c.req.query("resolved"),
      }),
    );
  })
  .post("/:id/resolve", async (c) => {
    const user = pageUser(c);
    if (!user) return redirectToSignIn(c);
    const form = await c.req.parseBody();
    const resolutionType = String(form.resolutionType ?? "");
    const eventId = typeof form.eventId === "string" && form.eventId !== ""
      ? form.eventId
      : undefined;
    const deps = c.get("deps");
    try {
      if (!(RESOLUTION_TYPES as readonly string[]).includes(resolutionType)) {
        throw new HttpError(400, "Choose how to resolve the conflict.");
      }
      await resolveConflict(
        deps,
        user.userId,
        c.req.param("id"),
        {
          resolutionType: resolutionType as ResolutionType,
          ...(eventId ? { userData: { eventId } } : {}),
        },
        "student",
      );
    } catch (error) {
      const known = toHttpError(error);
      if (!known) throw error;
      return c.html(
        await renderConflicts(deps.kv, user, { error: known.message }),
        known.status as 400 | 404 | 409,
      );
    }
    return c.redirect(`/conflicts?resolved=${encodeURIComponent(c.req.param("id"))}`, 303);
  });
