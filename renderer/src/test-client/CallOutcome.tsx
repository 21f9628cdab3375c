/** What a tools/call answered: its content blocks, structured content, isError, or the JSON-RPC error. */
import type { ToolCallOutcome } from '../../../shared/admin-api.js';
import { formatMs } from '../format.js';

interface ContentBlock {
  type?: unknown;
  text?: unknown;
  data?: unknown;
  mimeType?: unknown;
}

function readResult(result: unknown): { content: ContentBlock[]; structured?: unknown; isError: boolean } {
  if (typeof result !== 'object' || result === null) return { content: [], isError: false };
  const record = result as { content?: unknown; structuredContent?: unknown; isError?: unknown };
  return {
    content: Array.isArray(record.content) ? (record.content as ContentBlock[]) : [],
    structured: record.structuredContent,
    isError: record.isError === true,
  };
}

function Block({ block }: { block: ContentBlock }) {
  if (block.type === 'text' && typeof block.text === 'string') {
    return <pre className="code-block tc-code">{block.text}</pre>;
  }
  if (block.type === 'image' && typeof block.data === 'string' && typeof block.mimeType === 'string') {
    return <img className="tc-image" alt="tool output" src={`data:${block.mimeType};base64,${block.data}`} />;
  }
  return <pre className="code-block tc-code">{JSON.stringify(block, null, 2)}</pre>;
}

export function CallOutcome({ outcome }: { outcome: ToolCallOutcome }) {
  const { content, structured, isError } = readResult(outcome.result);
  const tone = !outcome.ok ? 'danger' : isError ? 'warn' : 'ok';
  return (
    <div className={`tc-outcome ${tone}`} data-testid="tc-outcome" data-ok={outcome.ok && !isError}>
      <div className="row">
        <span className={`badge ${tone}`}>{!outcome.ok ? 'error' : isError ? 'isError' : 'ok'}</span>
        <code>{outcome.tool}</code>
        <span className="spacer" />
        <span className="muted xs mono">{formatMs(outcome.durationMs)}</span>
      </div>
      {outcome.error && (
        <div className="tc-step-error" role="alert">
          <strong>{outcome.error.message}</strong>
          <span className="small mono">JSON-RPC error {outcome.error.code}</span>
        </div>
      )}
      {content.map((block, index) => (
        <Block key={index} block={block} />
      ))}
      {structured !== undefined && (
        <>
          <div className="section-title">structuredContent</div>
          <pre className="code-block tc-code">{JSON.stringify(structured, null, 2)}</pre>
        </>
      )}
      {outcome.ok && content.length === 0 && structured === undefined && <pre className="code-block tc-code">{JSON.stringify(outcome.result, null, 2)}</pre>}
    </div>
  );
}
