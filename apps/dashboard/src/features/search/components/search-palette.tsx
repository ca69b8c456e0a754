import {
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent,
  type ReactNode,
} from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { SEARCH_QUERY_MAX_LENGTH, type SearchResult } from '@repo/schemas';
import { useDebouncedValue } from '../../../lib/use-debounced-value';
import { searchQueryOptions } from '../api/queries';
import { resultPath } from '../result-links';
import { AnswerPurchaseContent, SearchResultContent } from './search-results';

type PaletteOption = { key: string; path: string; content: ReactNode };

/**
 * One option per result; a device that answers "did it buy that?" with a purchase is followed by
 * that purchase, so the answer is one Enter away from its page.
 */
function optionsFor(results: SearchResult[]): PaletteOption[] {
  return results.flatMap((result) => {
    const options: PaletteOption[] = [
      {
        key: `${result.kind}:${result.id}`,
        path: resultPath(result),
        content: <SearchResultContent result={result} />,
      },
    ];
    if (result.kind === 'device' && result.answer?.purchase) {
      const answer = { ...result.answer, purchase: result.answer.purchase };
      options.push({
        key: `answer:${answer.purchase.id}`,
        path: `/purchases/${encodeURIComponent(answer.purchase.id)}`,
        content: <AnswerPurchaseContent deviceId={result.id} answer={answer} />,
      });
    }
    return options;
  });
}

const FOCUSABLE = 'input, button:not(:disabled), a[href]';

/**
 * The command palette: a modal dialog around a combobox. Focus stays in the input while the
 * arrows move through the results (aria-activedescendant); Enter opens the highlighted one,
 * Escape closes. Tab stays inside the dialog.
 */
export function SearchPalette({ onClose }: { onClose: () => void }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const id = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const open = useRef(true);
  const [text, setText] = useState('');
  const query = text.trim();
  const debounced = useDebouncedValue(query, 200);
  const search = useQuery(searchQueryOptions(debounced));
  const shown = query ? search.data : undefined;
  const current = shown && !search.isPlaceholderData && debounced === query;
  const options = useMemo(() => (shown ? optionsFor(shown.results) : []), [shown]);
  const [active, setActive] = useState(0);
  const [optionsSeen, setOptionsSeen] = useState(options);
  if (optionsSeen !== options) {
    setOptionsSeen(options);
    setActive(0);
  }

  useEffect(() => {
    open.current = true;
    inputRef.current?.focus();
    // Behind a modal the page must not scroll, on a phone least of all.
    const overflow = document.body.style.overflow;
    document.body.style.overflow = 'hidden';
    return () => {
      open.current = false;
      document.body.style.overflow = overflow;
    };
  }, []);

  useEffect(() => {
    listRef.current
      ?.querySelector(`[data-index="${active}"]`)
      // Not in every environment (jsdom has none); keeping the option in view is a nicety.
      ?.scrollIntoView?.({ block: 'nearest' });
  }, [active]);

  const go = (option: PaletteOption) => {
    onClose();
    navigate(option.path);
  };

  /**
   * Enter opens the highlighted result when the list answers what is typed. Pasted and entered
   * at once, the text has no results yet: wait for them and open the best.
   */
  const choose = async () => {
    if (current) {
      const option = options[active];
      if (option) go(option);
      return;
    }
    if (!query) return;
    try {
      const answer = await queryClient.fetchQuery(searchQueryOptions(query));
      const best = optionsFor(answer.results)[0];
      if (best && open.current) go(best);
    } catch {
      // The list shows the failure once its own request fails the same way.
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      onClose();
    } else if (event.key === 'Tab') {
      const focusables = [...event.currentTarget.querySelectorAll<HTMLElement>(FOCUSABLE)];
      const first = focusables[0];
      const last = focusables[focusables.length - 1];
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last?.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first?.focus();
      }
    }
  };

  const onInputKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    const count = options.length;
    if (event.key === 'ArrowDown' && count) {
      event.preventDefault();
      setActive((i) => (i + 1) % count);
    } else if (event.key === 'ArrowUp' && count) {
      event.preventDefault();
      setActive((i) => (i - 1 + count) % count);
    } else if (event.key === 'Home' && count && event.ctrlKey) {
      event.preventDefault();
      setActive(0);
    } else if (event.key === 'End' && count && event.ctrlKey) {
      event.preventDefault();
      setActive(count - 1);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      void choose();
    }
  };

  let status = '';
  if (query && search.isError) status = 'The search failed.';
  else if (query && !shown) status = 'Searching…';
  else if (shown && options.length === 0) status = `Nothing matches “${shown.query}”.`;
  else if (shown)
    status = `${options.length} result${options.length === 1 ? '' : 's'}${current ? '' : ', updating…'}`;

  const listboxId = `${id}-results`;
  const optionId = (index: number) => `${id}-option-${index}`;
  const expanded = options.length > 0 && !search.isError;

  return (
    <div
      className="palette-backdrop"
      onMouseDown={(event) => {
        if (event.target === event.currentTarget) onClose();
      }}
    >
      <div
        className="palette"
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        onKeyDown={onKeyDown}
      >
        <div className="palette__bar">
          <h2 id={`${id}-title`} className="visually-hidden">
            Search
          </h2>
          <input
            ref={inputRef}
            className="palette__input"
            type="text"
            role="combobox"
            aria-label="Search by ID or name"
            aria-describedby={`${id}-hint`}
            aria-autocomplete="list"
            aria-expanded={expanded}
            aria-controls={listboxId}
            aria-activedescendant={expanded ? optionId(active) : undefined}
            placeholder="Device ID, purchase, checkout, product…"
            autoComplete="off"
            autoCapitalize="off"
            spellCheck={false}
            enterKeyHint="go"
            maxLength={SEARCH_QUERY_MAX_LENGTH}
            value={text}
            onChange={(event) => setText(event.target.value)}
            onKeyDown={onInputKeyDown}
          />
          <button type="button" className="button button--ghost button--small" onClick={onClose}>
            Close
          </button>
        </div>
        <p id={`${id}-hint`} className="palette__hint small muted">
          Paste a device ID, a purchase (pur_…), a checkout (chk_…, cs_…, pi_…), a product, an
          install (inst_…) or an API key prefix (mk_…). Add a product after a device ID to see
          whether the device owns it. ↑ ↓ to choose, Enter to open, Esc to close.
        </p>
        <p className="palette__status small" role="status">
          {status}
        </p>
        {query && search.isError && (
          <div className="palette__error" role="alert">
            <p>{search.error.message}</p>
            <button type="button" className="button button--small" onClick={() => search.refetch()}>
              Try again
            </button>
          </div>
        )}
        <ul
          ref={listRef}
          id={listboxId}
          role="listbox"
          aria-label="Results"
          className="palette__results"
          hidden={!expanded}
        >
          {expanded &&
            options.map((option, index) => (
              <li
                key={option.key}
                id={optionId(index)}
                data-index={index}
                role="option"
                aria-selected={index === active}
                className={`palette-option${index === active ? ' palette-option--active' : ''}`}
                // Keeps the focus in the input, where the keyboard goes on working.
                onMouseDown={(event) => event.preventDefault()}
                onMouseMove={() => setActive(index)}
                onClick={() => go(option)}
              >
                {option.content}
              </li>
            ))}
        </ul>
      </div>
    </div>
  );
}
