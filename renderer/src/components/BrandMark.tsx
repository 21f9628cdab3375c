/** Gatehouse's mark: a gate (two posts under a lintel) drawn inline, so no font is needed. */
export function BrandMark({ size = 24 }: { size?: number }) {
  return (
    <span className="brand-mark" style={{ width: size, height: size }} aria-hidden>
      <svg width={size * 0.62} height={size * 0.62} viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth={1.8} strokeLinecap="round">
        <path d="M2 4h12M3.5 2.5h9M5 4v9.5M11 4v9.5M5 7.5h6" />
      </svg>
    </span>
  );
}
