import { useEffect, useRef, useState } from 'react';
import { SearchPalette } from './search-palette';

const isApple = () => /Mac|iPhone|iPad/.test(globalThis.navigator?.userAgent ?? '');

/**
 * The header's search: a button that opens the palette, and Ctrl+K (⌘K on a Mac) from anywhere.
 * Closing gives the focus back to the button, where the person left off.
 */
export function SearchBox() {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const [shortcut] = useState(() => (isApple() ? '⌘K' : 'Ctrl K'));

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 'k') {
        // The browser's own Ctrl+K (search the web) would take the focus elsewhere.
        event.preventDefault();
        setOpen(true);
      }
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, []);

  const close = () => {
    setOpen(false);
    button.current?.focus();
  };

  return (
    <>
      <button
        ref={button}
        type="button"
        className="search-trigger"
        aria-haspopup="dialog"
        aria-keyshortcuts="Control+K Meta+K"
        onClick={() => setOpen(true)}
      >
        <svg className="search-trigger__icon" viewBox="0 0 20 20" aria-hidden="true">
          <circle cx="8.5" cy="8.5" r="5.5" fill="none" stroke="currentColor" strokeWidth="2" />
          <path d="m13 13 4.5 4.5" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
        </svg>
        <span className="search-trigger__label">Search</span>
        <span className="search-trigger__hint" aria-hidden="true">
          IDs, devices, products…
        </span>
        <kbd className="search-trigger__key" aria-hidden="true">
          {shortcut}
        </kbd>
      </button>
      {open && <SearchPalette onClose={close} />}
    </>
  );
}
