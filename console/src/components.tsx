import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiRefusal } from './api.ts';
import { duration } from './format.ts';

/** Thrown by a session's call once the API refused its JWT: the app is back at sign-in, nothing to show. */
export class SessionEnded extends Error {}

/** What a refusal tells the operator: the API's own message, and how long to wait when it said so. */
export function refusalText(error: unknown): string {
  if (error instanceof ApiRefusal) {
    return error.retryAfterSeconds === undefined ? error.message : `${error.message} Try again in ${duration(error.retryAfterSeconds)}.`;
  }
  return 'Something went wrong in the console. Reload the page and try again.';
}

/** An action's state: busy while it runs, the refusal it met (if any). */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const mounted = useRef(true);
  useEffect(() => () => { mounted.current = false; }, []);
  const run = async (work: () => Promise<void>): Promise<boolean> => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
      return true;
    } catch (caught) {
      if (!(caught instanceof SessionEnded) && mounted.current) setError(refusalText(caught));
      return false;
    } finally {
      if (mounted.current) setBusy(false);
    }
  };
  return { busy, error, run, clear: () => setError(undefined) };
}

/** A refusal, announced as it appears. */
export function ErrorMessage({ text }: { text: string | undefined }) {
  return text ? <p class="message error" role="alert">{text}</p> : null;
}

/** The page's main heading, focused when its view opens so a screen reader starts there. */
export function ViewHeading({ children }: { children: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return <h1 ref={ref} tabIndex={-1}>{children}</h1>;
}

interface FieldProps {
  label: string;
  name: string;
  type?: 'text' | 'email' | 'password';
  value: string;
  onInput: (value: string) => void;
  autoComplete?: string;
  hint?: string;
  required?: boolean;
}

/** A labelled input; its hint, when it has one, is its description. */
export function Field({ label, name, type = 'text', value, onInput, autoComplete = 'off', hint, required = true }: FieldProps) {
  const id = `field-${name}`;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        name={name}
        // Preact's types tell input types apart (a password field has no role); each of ours takes these attributes.
        type={type as 'text'}
        value={value}
        required={required}
        autoComplete={autoComplete}
        spellcheck={false}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onInput={(event) => onInput((event.currentTarget as HTMLInputElement).value)}
      />
      {hint ? <p class="hint" id={`${id}-hint`}>{hint}</p> : null}
    </div>
  );
}

/** A select of labelled options. */
export function Choice({ label, name, value, options, onChange }: {
  label: string; name: string; value: string; options: readonly { value: string; label: string }[]; onChange: (value: string) => void;
}) {
  const id = `field-${name}`;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} name={name} value={value} onChange={(event) => onChange((event.currentTarget as HTMLSelectElement).value)}>
        {options.map((option) => <option key={option.value} value={option.value}>{option.label}</option>)}
      </select>
    </div>
  );
}

/**
 * A secret the API just answered (a new token or key), shown this once with a Copy button. It
 * lives in this component's state only, and is gone when the operator presses Done.
 */
export function SecretOnce({ title, secret, onDone }: { title: string; secret: string; onDone: () => void }) {
  const [copied, setCopied] = useState<string | undefined>(undefined);
  const field = useRef<HTMLInputElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('Copied to the clipboard.');
    } catch {
      // No clipboard permission: select it, so that the operator's own copy takes it.
      field.current?.select();
      setCopied('Selected: copy it with your keyboard or menu.');
    }
  };
  return (
    <section class="secret" aria-labelledby="secret-title">
      <h2 id="secret-title" ref={heading} tabIndex={-1}>{title}</h2>
      <p>Copy it now: it is shown only once, and the API keeps only its digest.</p>
      <div class="secret-value">
        <label for="secret-value" class="visually-hidden">{title}</label>
        <input id="secret-value" ref={field} readOnly value={secret} spellcheck={false} autoComplete="off" onFocus={() => field.current?.select()} />
        <button type="button" onClick={copy}>Copy</button>
      </div>
      <p class="message" role="status">{copied ?? ''}</p>
      <button type="button" class="secondary" onClick={onDone}>Done</button>
    </section>
  );
}

/**
 * A button for an action that cannot be undone: the first press asks, in place, with the
 * consequence spelt out; only the second does it.
 */
export function Confirm({ label, accessibleLabel, question, confirmLabel, onConfirm, busy, danger = true }: {
  label: string; accessibleLabel?: string; question: string; confirmLabel: string; onConfirm: () => Promise<unknown> | void; busy?: boolean; danger?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  const confirmButton = useRef<HTMLButtonElement>(null);
  useEffect(() => { if (asking) confirmButton.current?.focus(); }, [asking]);
  if (!asking) {
    return <button type="button" class={danger ? 'danger' : undefined} aria-label={accessibleLabel} onClick={() => setAsking(true)}>{label}</button>;
  }
  return (
    <span class="confirm" role="group" aria-label={question}>
      <span class="confirm-question">{question}</span>
      <button type="button" ref={confirmButton} class={danger ? 'danger' : undefined} disabled={busy}
        onClick={async () => { await onConfirm(); setAsking(false); }}>{confirmLabel}</button>
      <button type="button" class="secondary" onClick={() => setAsking(false)}>Cancel</button>
    </span>
  );
}
