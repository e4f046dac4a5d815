/**
 * Heavy views take turns: each one commits its new data in a main-thread task of its own.
 *
 * React renders a transition in ~5 ms slices, but the commit, the effects after it (canvas drawing,
 * recharts' store updates) and the browser's style and layout of the new DOM run as one piece per
 * commit. A new result touches four matrices, three heatmaps, a chart and lists of up to 500 texts;
 * committed together that piece took 60–160 ms of CPU, far over the 50 ms a page may block. A view
 * that reads its data through `useStaggered` gets it in its own task instead (rendered and committed
 * there with `flushSync`), so the longest task is the costliest single view, not the sum of all.
 *
 * Views still waiting for their turn count as pending (`useStaggerPending`), so the page can say
 * "updating" until the last one has drawn.
 */
import { createElement, useLayoutEffect, useRef, useState, useSyncExternalStore, type ComponentType, type ReactNode } from 'react';
import { flushSync } from 'react-dom';

type Job = () => void;

const queue: Job[] = [];
const listeners = new Set<() => void>();
let pumpScheduled = false;

// A MessageChannel message is a fresh task with no timer clamping (setTimeout nests to 4 ms), and
// the browser may still render a frame between two of them.
const channel = typeof MessageChannel === 'undefined' ? null : new MessageChannel();
if (channel) channel.port1.onmessage = runNext;

function notify() {
  for (const listener of listeners) listener();
}

function schedulePump() {
  if (pumpScheduled) return;
  pumpScheduled = true;
  if (channel) channel.port2.postMessage(null);
  else setTimeout(runNext, 0);
}

function runNext() {
  pumpScheduled = false;
  const job = queue.shift();
  if (queue.length > 0) schedulePump();
  job?.();
  notify();
}

/** Queue `job` for a task of its own; the returned function withdraws it if it has not run yet. */
function enqueue(job: Job): () => void {
  queue.push(job);
  schedulePump();
  notify();
  return () => {
    const at = queue.indexOf(job);
    if (at < 0) return;
    queue.splice(at, 1);
    notify();
  };
}

/** Two props objects with the same keys and identical values (one level deep). */
function shallowEqual<T extends object>(a: T, b: T): boolean {
  if (a === b) return true;
  const keys = Object.keys(a) as (keyof T)[];
  return keys.length === Object.keys(b).length && keys.every((k) => Object.is(a[k], b[k]));
}

/**
 * `value`, handed to the component in a task of its own: undefined until the first turn, then the
 * latest value once its turn comes. A value `isEqual` to the one already shown costs nothing.
 */
export function useStaggered<T>(value: T, isEqual: (a: T, b: T) => boolean = Object.is): T | undefined {
  const [shown, setShown] = useState<{ value: T } | undefined>(undefined);
  // The identity the effect below keys on: a new object with equal contents keeps the old one.
  const wanted = useRef(value);
  if (!isEqual(wanted.current, value)) wanted.current = value;
  const target = wanted.current;
  const shownValue = shown?.value;
  const upToDate = shown !== undefined && shownValue === target;
  // A layout effect: the view is queued (and counted as pending) before the browser can paint the
  // commit that brought the new value, so "updating" never blinks off in between.
  useLayoutEffect(() => {
    if (upToDate) return;
    return enqueue(() => flushSync(() => setShown({ value: target })));
  }, [target, upToDate]);
  return shownValue;
}

/**
 * `Component` rendering its props in a task of its own whenever they change (shallowly); until its
 * first turn it shows `placeholder`.
 */
export function staggered<P extends object>(Component: ComponentType<P>, placeholder: (props: P) => ReactNode = () => null): ComponentType<P> {
  function Staggered(props: P) {
    const shown = useStaggered(props, shallowEqual);
    return shown ? createElement(Component, shown) : placeholder(props);
  }
  Staggered.displayName = `Staggered(${Component.displayName ?? Component.name})`;
  return Staggered;
}

/** True while some view is still waiting for its turn. */
export function useStaggerPending(): boolean {
  return useSyncExternalStore(subscribe, () => queue.length > 0);
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
