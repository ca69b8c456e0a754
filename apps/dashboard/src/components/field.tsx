import { useId, type ReactNode } from 'react';

type Control = { id: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean };

/**
 * A labelled control with its help or, once something is wrong, its problem, both read out with
 * it. The words sit beside the label, not in it, so the control's name stays its label alone.
 */
export function Field({
  label,
  help,
  problem,
  inline = false,
  children,
}: {
  label: ReactNode;
  help?: ReactNode;
  problem?: string | null;
  inline?: boolean;
  children: (control: Control) => ReactNode;
}) {
  const id = useId();
  const note = problem || help;
  return (
    <div className={`field${inline ? ' field--inline' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        'aria-describedby': note ? `${id}-note` : undefined,
        'aria-invalid': problem ? true : undefined,
      })}
      {problem ? (
        <span id={`${id}-note`} className="field__problem">
          {problem}
        </span>
      ) : help ? (
        <span id={`${id}-note`} className="small muted">
          {help}
        </span>
      ) : null}
    </div>
  );
}
