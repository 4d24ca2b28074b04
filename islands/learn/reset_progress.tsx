/** The learn page's "Reset progress…" control: names and counts the path's lessons, asks before resetting. */
import { useState } from "preact/hooks";
import type { Lesson } from "../../lib/core/lesson_content.ts";

/** Resets the path's lessons after naming and counting them. */
export function ResetProgress(
  props: { pathTitle: string; lessons: Lesson[]; onReset: () => void; disabled: boolean },
) {
  const [confirming, setConfirming] = useState(false);
  const count = props.lessons.length;
  return (
    <p class="cluster small learn-reset">
      {confirming
        ? (
          <>
            <span data-testid="reset-scope">
              Start the {count} lesson{count === 1 ? "" : "s"} of {props.pathTitle} over (
              {props.lessons.map((l) => l.title).join(", ")})? They show as not started in every
              system; your other activities, todos and calendar entries stay as they are, and your
              history is kept.
            </span>
            <button
              type="button"
              class="button button-danger button-small"
              data-testid="reset-confirm"
              onClick={() => {
                props.onReset();
                setConfirming(false);
              }}
            >
              Reset my progress
            </button>
            <button
              type="button"
              class="button button-secondary button-small"
              onClick={() => setConfirming(false)}
            >
              Cancel
            </button>
          </>
        )
        : (
          <button
            type="button"
            class="button-link"
            data-testid="reset-progress"
            disabled={props.disabled}
            onClick={() => setConfirming(true)}
          >
            Reset this path…
          </button>
        )}
    </p>
  );
}
