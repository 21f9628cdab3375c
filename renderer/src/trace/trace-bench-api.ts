/**
 * What the render benchmark's page (bench-entry.tsx) offers its driver (test/bench/render-bench.ts)
 * on `window.gatehouseBench`: each call performs one interaction on the trace screen and resolves
 * with the milliseconds until its result was on screen. Kept free of DOM types so the Node side
 * can import it.
 */
export interface TraceBench {
  /** Mounts the trace screen on `count` events generated in the page. */
  mount(count: number): Promise<number>;
  /** Scrolls the connection list to its middle. */
  scrollConnections(): Promise<number>;
  /** Clicks the connection row in view and waits for its diagram. */
  openConnection(): Promise<number>;
  /** Switches to the raw event list. */
  showEvents(): Promise<number>;
  /** Scrolls the raw event list to its middle. */
  scrollEvents(): Promise<number>;
  /** Types `text` into the raw list's filter. */
  filter(text: string): Promise<number>;
  /** Adds `count` events, as a burst from the live stream does. */
  append(count: number): Promise<number>;
}

export type TraceBenchStep = { [K in keyof TraceBench]: { call: K; arg?: Parameters<TraceBench[K]>[0] } }[keyof TraceBench];
