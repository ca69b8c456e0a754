import { useEffect, useRef, useState, type Ref } from 'react';

type Props = {
  label: string;
  /** What the URL says now. */
  value: string | undefined;
  /** Called once typing pauses, with the trimmed text or undefined when empty. */
  onChange: (value: string | undefined) => void;
  placeholder?: string;
  inputRef?: Ref<HTMLInputElement>;
  delayMs?: number;
  grow?: boolean;
};

/** A search box that reports after typing pauses, and follows the URL when it changes elsewhere. */
export function DebouncedTextField({
  label,
  value,
  onChange,
  placeholder,
  inputRef,
  delayMs = 300,
  grow = false,
}: Props) {
  const [text, setText] = useState(value ?? '');
  const [synced, setSynced] = useState(value);
  // What this field last reported: its echo from the URL must not overwrite newer typing.
  const [reported, setReported] = useState<{ value: string | undefined } | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);

  // The URL changed from elsewhere (clear filters, back button): show what it says.
  if (value !== synced) {
    setSynced(value);
    if (reported && reported.value === value) setReported(null);
    else if ((value ?? '') !== text.trim()) setText(value ?? '');
  }

  useEffect(() => () => clearTimeout(timer.current), []);

  return (
    <label className={`field field--inline${grow ? ' field--grow' : ''}`}>
      <span>{label}</span>
      <input
        ref={inputRef}
        type="search"
        placeholder={placeholder}
        value={text}
        onChange={(event) => {
          const next = event.target.value;
          setText(next);
          clearTimeout(timer.current);
          timer.current = setTimeout(() => {
            const trimmed = next.trim() || undefined;
            setReported({ value: trimmed });
            onChange(trimmed);
          }, delayMs);
        }}
      />
    </label>
  );
}
