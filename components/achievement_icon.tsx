import type { AchievementType } from "../lib/core/achievement_definitions.ts";

/** Stroke paths of each achievement type's icon, on a 24×24 grid. */
const PATHS: Record<AchievementType, string[]> = {
  completion: ["M5 12.5l4.5 4.5L19 7.5"],
  streak: [
    "M12 3c.5 3.5 5 5.5 5 10.5a5 5 0 0 1-10 0c0-2.5 1.5-3.5 2-5.5 1.5 1 2 2.5 2 4 1.5-1.5 1.5-5 1-9z",
  ],
  speed: ["M13 2.5L4.5 13.5H11l-1 8 8.5-11H12z"],
  consistency: ["M4 6.5h16v14H4z", "M4 10.5h16", "M8.5 3.5v5", "M15.5 3.5v5"],
  milestone: ["M6 21V3.5", "M6 4.5h11l-2.5 4 2.5 4H6"],
};

/** An achievement type's icon: drawn as SVG, so it looks the same without emoji fonts. */
export function AchievementIcon(props: { type: AchievementType }) {
  return (
    <svg
      viewBox="0 0 24 24"
      width="24"
      height="24"
      fill="none"
      stroke="currentColor"
      stroke-width="2"
      stroke-linecap="round"
      stroke-linejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      {PATHS[props.type].map((d) => <path key={d} d={d} />)}
    </svg>
  );
}
