/** What a test may set on a fixture event; the rest takes the fixture's defaults. */
export interface FixtureOptions {
  id?: string;
  timestamp?: string;
  /** Minutes spent (`eventData.timeSpent`). */
  timeSpent?: number;
}

/** The body of a `video_completed` event as the video player posts it, for tests. */
export function videoCompleted(
  activityId: string,
  options: FixtureOptions = {},
): Record<string, unknown> {
  return {
    ...(options.id === undefined ? {} : { id: options.id }),
    eventType: "video_completed",
    sourceSystem: "video_player",
    eventData: {
      activityId,
      activityType: "video",
      completionStatus: "completed",
      ...(options.timeSpent === undefined ? {} : { timeSpent: options.timeSpent }),
    },
    ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
  };
}
