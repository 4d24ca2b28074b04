import { liveConflicts } from "../lib/browser/live_client.ts";

/** Props of the Conflicts link's badge: the student's unresolved conflicts when the page was rendered. */
export interface ConflictsBadgeProps {
  openConflictIds: string[];
}

/** The number of conflicts waiting for the student, growing as `conflict_detected` messages arrive. */
export default function ConflictsBadge(props: ConflictsBadgeProps) {
  const ids = new Set([...props.openConflictIds, ...liveConflicts.value.map((c) => c.id)]);
  if (ids.size === 0) return null;
  return (
    <span class="nav-badge" data-testid="nav-conflicts-count">
      {ids.size}
      <span class="visually-hidden">to review</span>
    </span>
  );
}
