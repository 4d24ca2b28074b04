/**
 * Downtime scenario: while events keep flowing, the webhook receiver goes down and comes back
 * (deliveries are retried on the server's schedule, 1, 2, 4, 8, 16, 30 s, and none is lost) and a
 * live client drops its stream and resumes with `Last-Event-ID` (no frame missed, none doubled).
 */
import {
  addWebhookEndpoint,
  createStudent,
  delay,
  getJson,
  seededRandom,
  startSuiteServer,
  waitFor,
} from "./fixtures.ts";
import { followLive } from "./live_follower.ts";
import { newPosterFigures, runPoster } from "./poster.ts";
import type { Report, SuiteConfig } from "./report.ts";
import { startWebhookReceiver } from "./webhook_receiver.ts";
import { type PostedLedger, verifyZeroLoss } from "./zero_loss.ts";

const SCENARIO = "downtime";
/** Pause between a poster's requests (singles and batches up to 10: about 25 events/s). */
const POSTER = { maxBatch: 10, pauseMs: 200 };
/** Attempts the delivery worker has in flight at once (each may be cut off by a shutdown). */
const DELIVERY_CONCURRENCY = 8;

/** Frame ids that appear more than once, and those of `all` never received. */
function frameGaps(received: readonly string[], all: readonly string[]) {
  const seen = new Set(received);
  return {
    doubled: received.length - seen.size,
    missed: all.filter((id) => !seen.has(id)).length,
  };
}

/** Posts steadily while the receiver goes down and up and the live client drops and resumes; then the zero-loss verdict. */
export async function downtimeScenario(config: SuiteConfig, report: Report): Promise<void> {
  const receiver = startWebhookReceiver();
  const server = await startSuiteServer();
  const random = seededRandom(config.seed);
  try {
    const endpointId = await addWebhookEndpoint(server, receiver.url);
    const student = await createStudent(server, "downtime");
    const ledger: PostedLedger = { student, acked: new Set(), sent: new Map() };
    const follower = followLive(server.port, student.token, "0");
    await follower.ready();

    const figures = newPosterFigures();
    let stopping = false;
    const poster = runPoster(
      server.origin,
      ledger,
      seededRandom(config.seed + 1),
      figures,
      () => stopping,
      POSTER,
    );

    let ackedWhileDown = 0;
    const receiverOutages = (async () => {
      for (let outage = 0; outage < config.receiverOutages; outage++) {
        await delay(1000);
        await receiver.stop();
        const ackedBefore = ledger.acked.size;
        await delay(config.receiverDownMs);
        ackedWhileDown += ledger.acked.size - ackedBefore;
        receiver.start();
      }
    })();
    const liveDrops = (async () => {
      for (let drop = 0; drop < config.liveDrops; drop++) {
        await delay(300 + random() * 700);
        const connections = follower.connections();
        follower.disconnect();
        await delay(200 + random() * 1300);
        follower.resume();
        await waitFor(
          "the live client to reconnect",
          () => Promise.resolve(follower.connections() > connections ? true : null),
          10_000,
          50,
        );
      }
    })();
    await Promise.all([receiverOutages, liveDrops]);
    await delay(500);
    stopping = true;
    await poster;

    report.check(
      SCENARIO,
      `events kept flowing: receiver down ${config.receiverOutages}× ` +
        `${config.receiverDownMs / 1000} s, live client dropped ${config.liveDrops}×`,
      figures.unexpected.length === 0 && ackedWhileDown > 0,
      `${figures.requests} requests (${figures.batches} batches), ${ledger.acked.size} events ` +
        `acked, ${ackedWhileDown} while the receiver was down, ${figures.unexpected.length} ` +
        `unexpected answers` +
        (figures.unexpected.length ? ` (${figures.unexpected.slice(0, 3).join("; ")})` : ""),
    );

    // The last retry step the outage reaches (16 s in the full run) bounds the wait after it ends.
    await verifyZeroLoss(server, report, SCENARIO, [ledger], {
      followers: new Map([[student.userId, follower]]),
      receiver,
      allowedWebhookResends: config.receiverOutages * DELIVERY_CONCURRENCY,
      webhookStallMs: 60_000,
    });

    const health = (await getJson<{ health: { attempts: number; failed: number } }>(
      server,
      `/api/webhooks/${endpointId}`,
      server.adminToken,
    )).health;
    report.check(
      SCENARIO,
      "deliveries failed while the receiver was down were retried",
      health.failed > 0,
      `${health.attempts} attempts: ${health.failed} failed and retried, ` +
        `${receiver.received.length} received`,
    );

    const replay = followLive(server.port, student.token, "0");
    try {
      await waitFor(
        "the stored live messages",
        () => Promise.resolve(replay.frameIds.length >= follower.frameIds.length ? true : null),
        15_000,
      ).catch(() => {});
      const gaps = frameGaps(follower.frameIds, replay.frameIds);
      report.check(
        SCENARIO,
        "the resuming live client got every stored frame once, in order",
        gaps.missed === 0 && gaps.doubled === 0 &&
          follower.frameIds.join() === replay.frameIds.join(),
        `${follower.frameIds.length} frames over ${follower.connections()} connections, ` +
          `${replay.frameIds.length} stored, ${gaps.missed} missed, ${gaps.doubled} doubled`,
      );
    } finally {
      await replay.close();
      await follower.close();
    }
  } finally {
    await server.stop();
    await receiver.stop();
  }
}
