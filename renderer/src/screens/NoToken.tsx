import { BrandMark } from '../components/BrandMark.js';

/** Shown when the page was opened without the admin token (e.g. a bookmark of the bare URL). */
export function NoToken() {
  return (
    <div className="no-token">
      <div className="no-token-card">
<BrandMark />
        <h1>This window needs Gatehouse's admin token</h1>
        <p>
          The admin API only answers requests that carry the per-launch token, so the window cannot load from a bare address. Open the link
          Gatehouse printed when it started (it ends in <code>#token=…</code>), or run <code>gatehouse demo</code> again and use the new link.
        </p>
      </div>
    </div>
  );
}
