/** MCP tool annotations as badges: what the tool says about itself (hints, not guarantees). */
const HINTS: Array<{ key: string; when: boolean; label: string; tone: string; help: string }> = [
  { key: 'readOnlyHint', when: true, label: 'read-only', tone: 'ok', help: 'Does not change its environment' },
  { key: 'destructiveHint', when: true, label: 'destructive', tone: 'danger', help: 'May delete or overwrite data' },
  { key: 'idempotentHint', when: true, label: 'idempotent', tone: '', help: 'Calling it again with the same arguments has no further effect' },
  { key: 'openWorldHint', when: true, label: 'open world', tone: 'info', help: 'Talks to things outside the server (the web, other systems)' },
];

export function AnnotationBadges({ annotations }: { annotations: Record<string, unknown> | undefined }) {
  if (!annotations) return null;
  const shown = HINTS.filter((hint) => annotations[hint.key] === hint.when);
  // A write tool that does not say it is destructive is still worth flagging as a write.
  const writes = annotations.readOnlyHint === false && annotations.destructiveHint !== true;
  if (shown.length === 0 && !writes) return null;
  return (
    <span className="annotations">
      {writes && (
        <span className="badge warn" title="Changes its environment">
          writes
        </span>
      )}
      {shown.map((hint) => (
        <span key={hint.key} className={`badge ${hint.tone}`} title={`${hint.key}: ${hint.help}`} data-annotation={hint.key}>
          {hint.label}
        </span>
      ))}
    </span>
  );
}
