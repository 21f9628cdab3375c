/**
 * "Something the routes screen shows has changed" (traffic, upstream health, faults, config):
 * many changes in one turn of the event loop reach each listener once, so a burst of requests
 * does not become a burst of pushes to the window.
 */
export class ChangeSignal {
  private readonly listeners = new Set<() => void>();
  private pending?: NodeJS.Immediate;

  listen(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  changed(): void {
    if (this.pending || this.listeners.size === 0) return;
    this.pending = setImmediate(() => {
      this.pending = undefined;
      for (const listener of this.listeners) {
        try {
          listener();
        } catch {
          // A listener that throws (a closed window) must not keep the others from hearing.
        }
      }
    });
  }

  close(): void {
    if (this.pending) clearImmediate(this.pending);
    this.pending = undefined;
    this.listeners.clear();
  }
}
