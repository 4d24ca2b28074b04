import { useRef, useState } from "preact/hooks";

/** Props of the copy control: the text to copy, an accessible name for its field, and what it is. */
export interface CopyLinkProps {
  url: string;
  label: string;
  /** What is copied (default "link"): names the button and its announcement. */
  what?: "link" | "token";
}

const WORDS = {
  link: { button: "Copy link", done: "Link copied to the clipboard", testid: "share-link" },
  token: { button: "Copy token", done: "Token copied to the clipboard", testid: "token-secret" },
} as const;

/**
 * A read-only field holding a link (or a one-time secret) and a copy button. Copying uses the
 * clipboard API; where that is refused, the text is selected so the visitor can copy it themselves.
 */
export default function CopyLink(props: CopyLinkProps) {
  const field = useRef<HTMLInputElement>(null);
  const [state, setState] = useState<"idle" | "copied" | "selected">("idle");
  const words = WORDS[props.what ?? "link"];
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
        type="text"
        readOnly
        value={props.url}
        aria-label={props.label}
        data-testid={words.testid}
        spellcheck={false}
        onFocus={(e) => e.currentTarget.select()}
      />
      <button
        type="button"
        class="button button-small"
        onClick={copy}
        data-testid={props.what === "token" ? "copy-token" : "copy-link"}
      >
        {state === "copied" ? "Copied" : words.button}
      </button>
      <span class="visually-hidden" role="status">
        {state === "copied"
          ? words.done
          : state === "selected"
          ? "Selected: press Ctrl+C or ⌘C to copy it"
          : ""}
      </span>
    </div>
  );
}
