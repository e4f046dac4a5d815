/** "Copy share link": the whole state (texts, settings, view) in a URL, shown so it can be copied by hand too. */
import { useState } from 'react';
import { shareUrl, useStore } from '../store.ts';

export function ShareLink() {
  const [link, setLink] = useState<string | null>(null);
  const [copied, setCopied] = useState<boolean | null>(null);
  const share = async () => {
    const url = shareUrl(useStore.getState().settings);
    setLink(url);
    try {
      await navigator.clipboard.writeText(url);
      setCopied(true);
    } catch {
      // No clipboard permission (or an insecure context): the link is still shown to copy by hand.
      setCopied(false);
    }
  };
  return (
    <div className="share">
      <button type="button" onClick={() => void share()} data-testid="share">
        Copy share link
      </button>
      {link && (
        <>
          <input readOnly value={link} aria-label="Share link" data-testid="share-link" onFocus={(e) => e.currentTarget.select()} />
          <span role="status" className="note">{copied ? 'Copied.' : 'Select the link and copy it.'}</span>
        </>
      )}
    </div>
  );
}
