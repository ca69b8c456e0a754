import { useId, useState } from 'react';

/** A read-only value with a copy button: a secret shown once, or a link to share. */
export function CopyField({ label, value }: { label: string; value: string }) {
  const id = useId();
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('yes');
    } catch {
      // No clipboard (an insecure origin, a denied permission): select it for a manual copy.
      (document.getElementById(id) as HTMLInputElement | null)?.select();
      setCopied('failed');
    }
  };
  return (
    <div className="copy-field">
      <label className="copy-field__label" htmlFor={id}>
        {label}
      </label>
      <div className="copy-field__row">
        <input id={id} className="mono" readOnly value={value} onFocus={(e) => e.target.select()} />
        <button type="button" className="button" onClick={copy}>
          Copy
        </button>
      </div>
      <p className="small muted" role="status">
        {copied === 'yes'
          ? 'Copied to the clipboard.'
          : copied === 'failed'
            ? 'Copying is not allowed here: the text is selected, press Ctrl+C.'
            : ''}
      </p>
    </div>
  );
}

/** The one time a secret is shown: say so, offer to copy it, and let the admin close it. */
export function SecretOnce({
  title,
  label,
  secret,
  onDone,
}: {
  title: string;
  label: string;
  secret: string;
  onDone: () => void;
}) {
  return (
    <section className="panel secret-once" aria-labelledby="secret-once-title" role="region">
      <h2 id="secret-once-title">{title}</h2>
      <p>
        <strong>Copy it now: it is shown only this once.</strong> Keep it on your server; never put
        it in a web page or an app.
      </p>
      <CopyField label={label} value={secret} />
      <button type="button" className="button button--primary" onClick={onDone}>
        I have copied it
      </button>
    </section>
  );
}
