/** A small set of 16px stroke icons, drawn inline so the window needs no icon font or network. */
const PATHS = {
  routes: 'M2 4h5M9 4h5M2 12h5M9 12h5M7 4c2 0 2 8 0 8M9 4c-2 0-2 8 0 8',
  catalog: 'M2.5 2.5h4.5v4.5H2.5zM9 2.5h4.5v4.5H9zM2.5 9h4.5v4.5H2.5zM9 9h4.5v4.5H9z',
  handshake: 'M3 2v12M13 2v12M3 5h8l-2-1.5M13 8H5l2 1.5M3 11h8l-2 1.5',
  decisions: 'M8 2v12M4 14h8M3 5h10M3 5l-1.5 4h3zM13 5l-1.5 4h3z',
  acl: 'M2 2.5h12v11H2zM2 6h12M2 9.5h12M6 2.5v11M10 2.5v11',
  'test-client': 'M4 2.5v11l9-5.5z',
  doctor: 'M1.5 8h3l1.5-4 3 8 1.5-4h4',
  settings: 'M8 5.5a2.5 2.5 0 1 0 0 5 2.5 2.5 0 0 0 0-5zM8 1.5v2M8 12.5v2M1.5 8h2M12.5 8h2M3.4 3.4l1.4 1.4M11.2 11.2l1.4 1.4M3.4 12.6l1.4-1.4M11.2 4.8l1.4-1.4',
  copy: 'M5.5 5.5h8v8h-8zM2.5 10.5v-8h8',
  check: 'M3 8.5l3 3 7-7',
  x: 'M4 4l8 8M12 4l-8 8',
  chevron: 'M6 4l4 4-4 4',
  down: 'M4 6l4 4 4-4',
  alert: 'M8 2l6.5 11.5h-13zM8 6.5v3M8 11.5v.5',
  search: 'M7 2.5a4.5 4.5 0 1 0 0 9 4.5 4.5 0 0 0 0-9zM10.5 10.5l3.5 3.5',
  play: 'M4.5 3v10l8-5z',
  lock: 'M4 7.5h8v6H4zM5.5 7.5V5a2.5 2.5 0 0 1 5 0v2.5',
  eye: 'M1.5 8s2.5-4.5 6.5-4.5S14.5 8 14.5 8 12 12.5 8 12.5 1.5 8 1.5 8zM8 6.5a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3z',
  trash: 'M3 4.5h10M6.5 4.5V3h3v1.5M4.5 4.5l.5 9h6l.5-9',
  plus: 'M8 3v10M3 8h10',
  bolt: 'M9 1.5L3.5 9H8l-1 5.5L12.5 7H8z',
  user: 'M8 2.5a2.5 2.5 0 1 0 0 5 2.5 2.5 0 0 0 0-5zM3 13.5c.5-2.5 2.5-4 5-4s4.5 1.5 5 4',
  external: 'M9.5 2.5h4v4M13.5 2.5L8 8M11.5 9.5v4h-9v-9h4',
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name, size = 16, className }: { name: IconName; size?: number; className?: string }) {
  return (
    <svg
      className={className ? `icon ${className}` : 'icon'}
      width={size}
      height={size}
      viewBox="0 0 16 16"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.4}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden
    >
      <path d={PATHS[name]} />
    </svg>
  );
}
