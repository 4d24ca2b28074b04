import { Webhook } from "standardwebhooks";
import type { TestApp } from "./test_app.ts";

/** The body of an inbound `progress_event` webhook for `userId` (a completed todo), with `extra` in `data`. */
export function progressEvent(userId: string, extra: Record<string, unknown> = {}) {
  return {
    type: "progress_event",
    data: {
      userId,
      eventType: "todo_completed",
      eventData: { activityId: "todo-1", activityType: "practice", completionStatus: "completed" },
      ...extra,
    },
  };
}

/** Sends an inbound webhook from `system`, signed the way the standardwebhooks library signs (an independent signer). */
export function sendSigned(
  app: TestApp,
  system: string,
  secret: string,
  payload: unknown,
  options: { id?: string; at?: Date; tamper?: boolean } = {},
): Promise<Response> {
  const id = options.id ?? `msg_${crypto.randomUUID()}`;
  const at = options.at ?? new Date();
  const body = JSON.stringify(payload);
  const signature = new Webhook(secret).sign(id, at, body);
  return app.request(`/api/webhooks/inbound/${system}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "webhook-id": id,
      "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
      "webhook-signature": signature,
    },
    body: options.tamper ? body.replace("completed", "started") : body,
  });
}
