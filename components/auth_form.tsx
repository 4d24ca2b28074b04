import type { FieldIssue } from "../lib/http/validation.ts";

/** Props of the sign-in / sign-up form. */
export interface AuthFormProps {
  action: string;
  submitLabel: string;
  username?: string;
  error?: string | null;
  issues?: FieldIssue[];
  next?: string;
  passwordAutocomplete: "current-password" | "new-password";
  passwordHint?: string;
}

/** A username/password form that posts to `action`, showing the form error and field errors accessibly. */
export function AuthForm(props: AuthFormProps) {
  const fieldError = (name: string) => props.issues?.find((i) => i.path === name)?.message;
  const usernameError = fieldError("username");
  const passwordError = fieldError("password");
  return (
    <form class="form" method="post" action={props.action} novalidate>
      {props.error && <p class="form-error" role="alert">{props.error}</p>}
      {props.next && <input type="hidden" name="next" value={props.next} />}
      <div class="field">
        <label for="username">Username</label>
        <input
          id="username"
          name="username"
          autocomplete="username"
          required
          value={props.username ?? ""}
          aria-invalid={usernameError ? "true" : undefined}
          aria-describedby={usernameError ? "username-error" : undefined}
        />
        {usernameError && <p id="username-error" class="field-error">{usernameError}</p>}
      </div>
      <div class="field">
        <label for="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete={props.passwordAutocomplete}
          required
          aria-invalid={passwordError ? "true" : undefined}
          aria-describedby={passwordError
            ? "password-error"
            : props.passwordHint
            ? "password-hint"
            : undefined}
        />
        {passwordError
          ? <p id="password-error" class="field-error">{passwordError}</p>
          : props.passwordHint && <p id="password-hint" class="hint">{props.passwordHint}</p>}
      </div>
      <div class="form-actions">
        <button class="button" type="submit">{props.submitLabel}</button>
      </div>
    </form>
  );
}
