/** Crash scenario: `kill -9` the real server during sustained posting and prove nothing acknowledged is lost. */
import { join } from "node:path";
import { freePort, type ServerProcess } from "../e2e/harness.ts";
import {
  addWebhookEndpoint,
  createStudent,
  delay,
  seededRandom,
  startSuiteServer,
  waitWhileProgressing,
} from "./fixtures.ts";
import { followLive, type LiveFollower } from "./live_follower.ts";
import { eventPace, newPosterFigures, runPoster } from "./poster.ts";
import type { Report, SuiteConfig } from "./report.ts";
import { startWebhookReceiver } from "./webhook_receiver.ts";
import { checkLogHoldsAcked, type PostedLedger, verifyZeroLoss } from "./zero_loss.ts";

const SCENARIO = "crash";
/** Students the posters write for. */
const STUDENTS = 3;
/** Largest batch a poster sends. */
const MAX_BATCH = 20;
/** Attempts the delivery worker has in flight at once (a crash can cut off each, to be re-sent). */
const DELIVERY_CONCURRENCY = 8;

/**
 * Kills the server `config.kills` times while paced posters post a fixed number of events,
 * checking the log after each restart, then the full verdict.
 */
export async function crashScenario(config: SuiteConfig, report: Report): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "progress_sync_reliability_" });
  const kvPath = join(dir, "progress.sqlite");
  const adminToken = `reliability-admin-${crypto.randomUUID()}`;
  const port = freePort();
  const receiver = startWebhookReceiver();
  let server: ServerProcess = await startSuiteServer({ port, kvPath, adminToken });
  const followers = new Map<string, LiveFollower>();
  const outputs: string[] = [];
  try {
    await addWebhookEndpoint(server, receiver.url);
    const students = await Promise.all(
      Array.from({ length: STUDENTS }, () => createStudent(server, "crash")),
    );
    const ledgers: PostedLedger[] = students.map((student) => ({
      student,
      acked: new Set(),
      sent: new Map(),
    }));
    for (const student of students) {
      followers.set(student.userId, followLive(port, student.token, "0"));
    }
    const random = seededRandom(config.seed);
    const figures = newPosterFigures();
    const total = Math.round(config.eventsPerKill * (config.kills + 0.5));
    const pace = eventPace(config.offeredRate, total);
    const posters = Array.from(
      { length: config.posters },
      (_, i) =>
        runPoster(
          server.origin,
          ledgers[i % ledgers.length]!,
          seededRandom(config.seed + i + 1),
          figures,
          () => false,
          { maxBatch: MAX_BATCH, pace },
        ),
    );

    let lostAfterRestart = 0;
    for (let kill = 1; kill <= config.kills; kill++) {
      // Somewhere in the second half of this cycle's events, so posting goes on past the kill.
      const killAt = Math.round(config.eventsPerKill * (kill - 0.5 + 0.5 * random()));
      await waitWhileProgressing(
        `the posters to reach ${killAt} events`,
        () => Promise.resolve({ done: pace.granted() >= killAt, progress: pace.granted() }),
        60_000,
        20,
      );
      const ackedBefore = ledgers.map((l) => ({ ...l, acked: new Set(l.acked) }));
      await server.stop({ signal: "SIGKILL" });
      outputs.push(server.output());
      await delay(100 + random() * 400);
      server = await startSuiteServer({ port, kvPath, adminToken });
      const before = report.rows.length;
      await checkLogHoldsAcked(
        server,
        report,
        SCENARIO,
        ackedBefore,
        `kill -9 #${kill}: events acked before it are in the log after restart`,
      );
      if (!report.rows.slice(before).every((r) => r.ok)) lostAfterRestart++;
    }
    await Promise.all(posters);

    const acked = ledgers.reduce((n, l) => n + l.acked.size, 0);
    report.check(
      SCENARIO,
      `${config.kills} kill -9 during ${config.posters} concurrent posters ` +
        `(${config.offeredRate} events/s offered)`,
      figures.unexpected.length === 0 && lostAfterRestart === 0 && acked === total,
      `${figures.requests} requests (${figures.batches} batches), ${acked} of ${total} events ` +
        `acked, ` +
        `${figures.connectionErrors} connection errors re-sent, ${figures.resentAsDuplicate} ` +
        `answered duplicate on re-send, ${figures.unexpected.length} unexpected answers` +
        (figures.unexpected.length ? ` (${figures.unexpected.slice(0, 3).join("; ")})` : ""),
    );
    await verifyZeroLoss(server, report, SCENARIO, ledgers, {
      followers,
      receiver,
      allowedWebhookResends: config.kills * DELIVERY_CONCURRENCY,
      // A delivery cut off by a kill is claimed for its timeout + 30 s before it is re-sent.
      webhookStallMs: 90_000,
    });
  } finally {
    await Promise.all([...followers.values()].map((f) => f.close()));
    await server.stop();
    outputs.push(server.output());
    const errors = outputs.join("\n").split("\n").filter((l) => /error|fail/i.test(l));
    if (errors.length > 0) console.log(`Server errors:\n${errors.slice(0, 20).join("\n")}`);
    await receiver.stop();
    await Deno.remove(dir, { recursive: true });
  }
}
