/** The live-stream position before every kept message: resume with it to receive them all. */
export const LIVE_START = "0";
