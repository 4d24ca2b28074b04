import CopyLink from "../islands/copy_link.tsx";
import { Island } from "./island.tsx";

/** Props of an earned achievement's sharing controls. */
export interface AchievementShareProps {
  achievementId: string;
  title: string;
  /** The absolute URL of its public page while it is public; null when private. */
  shareUrl: string | null;
}

function SharingForm(props: { achievementId: string; makePublic: boolean; label: string }) {
  return (
    <form
      class="inline-form"
      method="post"
      action={`/achievements/${encodeURIComponent(props.achievementId)}/sharing`}
    >
      <input type="hidden" name="public" value={String(props.makePublic)} />
      <button
        class={`button button-small${props.makePublic ? "" : " button-secondary"}`}
        type="submit"
        data-testid={props.makePublic ? "make-public" : "make-private"}
      >
        {props.label}
      </button>
    </form>
  );
}

/**
 * Sharing an earned achievement: "Make public", or, while public, its link (with a copy button
 * and a way to open it) and "Make private", which takes the page and its badge down.
 */
export function AchievementShare(props: AchievementShareProps) {
  if (props.shareUrl === null) {
    return (
      <div class="achievement-share" data-testid="achievement-share" data-public="false">
        <SharingForm achievementId={props.achievementId} makePublic label="Make public" />
        <span class="small muted">Get a link and an Open Badge anyone can view.</span>
      </div>
    );
  }
  return (
    <div class="achievement-share" data-testid="achievement-share" data-public="true">
      <Island
        name="copy_link"
        component={CopyLink}
        props={{ url: props.shareUrl, label: `Public link to ${props.title}` }}
      />
      <div class="achievement-share-actions">
        <a class="button-link small" href={props.shareUrl} data-testid="open-share">
          Open public page
        </a>
        <SharingForm
          achievementId={props.achievementId}
          makePublic={false}
          label="Make private"
        />
      </div>
    </div>
  );
}
