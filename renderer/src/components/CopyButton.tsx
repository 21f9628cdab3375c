import { useEffect, useState } from 'react';

import { copyText } from './clipboard.js';
import { Icon } from './Icon.js';

/** An icon button that copies `text` and confirms with a check for a moment. */
export function CopyButton({ text, label = 'Copy', showLabel = false, testId }: { text: string; label?: string; showLabel?: boolean; testId?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), 1_400);
    return () => clearTimeout(timer);
  }, [state]);
  return (
    <button
      type="button"
      className={`btn ghost icon-btn copy-btn ${state}`}
      title={state === 'failed' ? 'Copy failed: select the text and copy it by hand' : label}
      aria-label={label}
      data-testid={testId}
      onClick={(event) => {
        event.stopPropagation();
        void copyText(text).then((ok) => setState(ok ? 'copied' : 'failed'));
      }}
    >
      <Icon name={state === 'copied' ? 'check' : state === 'failed' ? 'x' : 'copy'} size={14} />
      {showLabel && <span>{state === 'copied' ? 'Copied' : label}</span>}
    </button>
  );
}
