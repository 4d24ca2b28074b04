/** Race scenario: one event posted by 10 clients at once, and many distinct events for one student at once. */
import { api, type ServerProcess } from "../e2e/harness.ts";
import {
  createStudent,
  newEventId,
  seededRandom,
  startSuiteServer,
  type Student,
  videoEvent,
} from "./fixtures.ts";
import type { Report, SuiteConfig } from "./report.ts";
import { type PostedLedger, verifyZeroLoss } from "./zero_loss.ts";

const SCENARIO = "races";
/** Clients racing in each round. */
const CLIENTS = 10;

/** Posts `body` as client `n`: bearer tokens of both kinds and the session cookie take turns. */
function postAs(server: ServerProcess, student: Student, n: number, body: unknown) {
  const credentials = [
    { token: student.token },
    { token: student.writeToken },
    { cookie: student.cookie },
  ][n % 3]!;
  return api(server, "/api/progress-sync/events", { ...credentials, json: body });
}

/** Statuses of the per-event results of a 2xx answer, or the HTTP status when it was not 2xx. */
async function answerOf(response: Response): Promise<string[]> {
  if (response.status !== 202 && response.status !== 200) {
    await response.body?.cancel();
    return [`HTTP ${response.status}`];
  }
  const { results } = await response.json() as { results: { status: string }[] };
  return results.map((r) => r.status);
}

/** Same-id races and concurrent distinct events, then the zero-loss verdict for both students. */
export async function racesScenario(config: SuiteConfig, report: Report): Promise<void> {
  const server = await startSuiteServer();
  try {
    const [same, many] = await Promise.all([
      createStudent(server, "race"),
      createStudent(server, "burst"),
    ]);
    const sameLedger: PostedLedger = { student: same, acked: new Set(), sent: new Map() };
    let badRounds = 0;
    const tally = new Map<string, number>();
    for (let round = 0; round < config.raceRounds; round++) {
      const id = newEventId();
      sameLedger.sent.set(id, 7);
      const event = videoEvent(id, `race-${id}`, { timeSpent: 7 });
      // A batch in some rounds: the same id inside batches races with singles.
      const answers = (await Promise.all(
        Array.from(
          { length: CLIENTS },
          (_, n) => postAs(server, same, n, n % 4 === 3 ? { events: [event] } : event),
        ),
      ).then((responses) => Promise.all(responses.map(answerOf)))).flat();
      for (const a of answers) tally.set(a, (tally.get(a) ?? 0) + 1);
      const accepted = answers.filter((a) => a === "accepted").length;
      const duplicates = answers.filter((a) => a === "duplicate").length;
      if (accepted !== 1 || duplicates !== CLIENTS - 1) badRounds++;
      sameLedger.acked.add(id);
    }
    report.check(
      SCENARIO,
      `same event posted by ${CLIENTS} clients at once (${config.raceRounds} rounds)`,
      badRounds === 0,
      `${[...tally].map(([k, v]) => `${v} ${k}`).join(", ")}; ${badRounds} rounds not 1 accepted`,
    );

    const manyLedger: PostedLedger = { student: many, acked: new Set(), sent: new Map() };
    const random = seededRandom(config.seed);
    const perClient = Math.ceil(config.concurrentEvents / CLIENTS);
    const failures: string[] = [];
    await Promise.all(Array.from({ length: CLIENTS }, async (_, n) => {
      let left = perClient;
      while (left > 0) {
        const size = Math.min(left, random() < 0.5 ? 1 : 2 + Math.floor(random() * 9));
        left -= size;
        const events = Array.from({ length: size }, () => {
          const id = newEventId();
          const minutes = 1 + Math.floor(random() * 20);
          manyLedger.sent.set(id, minutes);
          return videoEvent(id, `burst-${id}`, { timeSpent: minutes });
        });
        const response = await postAs(server, many, n, size === 1 ? events[0] : { events });
        const answers = await answerOf(response);
        answers.forEach((a, i) => {
          if (a === "accepted") manyLedger.acked.add(events[i]!.id as string);
          else failures.push(a);
        });
      }
    }));
    report.check(
      SCENARIO,
      `${perClient * CLIENTS} distinct events for one student from ${CLIENTS} clients at once`,
      failures.length === 0,
      `${manyLedger.acked.size} accepted, ${failures.length} other answers`,
    );
    await verifyZeroLoss(server, report, SCENARIO, [sameLedger, manyLedger]);
  } finally {
    await server.stop();
  }
}
