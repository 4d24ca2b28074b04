import { useRef, useState } from "preact/hooks";

/** Props of the copy-link control: the absolute URL to share and an accessible name for the field. */
export interface CopyLinkProps {
  url: string;
  label: string;
}

/**
 * A read-only field holding a link and a "Copy link" button. Copying uses the clipboard API; where
 * that is refused, the link is selected so the visitor can copy it themselves.
 */
export default function CopyLink(props: CopyLinkProps) {
  const field = useRef<HTMLInputElement>(null);
  const [state, setState] = useState<"idle" | "copied" | "selected">("idle");
  async function copy() {
    try {
      await navigator.clipboard.writeText(props.url);
      setState("copied");
    } catch {
      field.current?.select();
      setState("selected");
    }
  }
  return (
    <div class="copy-link">
      <input
        ref={field}
        class="copy-link-field"
        type="url"
        readOnly
        value={props.url}
        aria-label={props.label}
        data-testid="share-link"
        onFocus={(e) => e.currentTarget.select()}
      />
      <button
        type="button"
        class="button button-small"
        onClick={copy}
        data-testid="copy-link"
      >
        {state === "copied" ? "Copied" : "Copy link"}
      </button>
      <span class="visually-hidden" role="status">
        {state === "copied"
          ? "Link copied to the clipboard"
          : state === "selected"
          ? "Link selected: press Ctrl+C or ⌘C to copy it"
          : ""}
      </span>
    </div>
  );
}
