/** The top-level "Playground | Analysis" switch, kept in the URL hash (`#analysis`) so it survives reloads and links. */
import { useEffect, useState } from 'react';
import './analysis.css';

export type AppTab = 'playground' | 'analysis';

function readTab(): AppTab {
  return /(^#|&)analysis(&|$)/.test(location.hash) ? 'analysis' : 'playground';
}

export function useAppTab(): AppTab {
  const [tab, setTab] = useState<AppTab>(readTab);
  useEffect(() => {
    const onChange = () => setTab(readTab());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return tab;
}

export function AppTabs({ tab }: { tab: AppTab }) {
  const go = (next: AppTab) => {
    location.hash = next === 'analysis' ? 'analysis' : '';
  };
  return (
    <nav className="app-tabs" role="tablist" aria-label="Page">
      {(['playground', 'analysis'] as const).map((t) => (
        <button key={t} type="button" role="tab" aria-selected={tab === t} className={tab === t ? 'active' : ''} onClick={() => go(t)} data-testid={`tab-${t}`}>
          {t === 'playground' ? 'Playground' : 'Analysis'}
        </button>
      ))}
    </nav>
  );
}
