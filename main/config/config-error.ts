/** A config file problem, located in the file so an editor can jump to it. */
export interface ConfigProblem {
  file: string;
  line?: number;
  column?: number;
  /** Dotted path of the field, e.g. routes[0].upstreams[1].url */
  field?: string;
  message: string;
}

export function formatProblem(problem: ConfigProblem): string {
  const where = problem.line ? `${problem.file}:${problem.line}:${problem.column ?? 1}` : problem.file;
  return `${where}: ${problem.field ? `${problem.field}: ` : ''}${problem.message}`;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly problems: ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'));
  }
}
