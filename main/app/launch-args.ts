/**
 * What the desktop app runs, from its command line: `--config FILE` (or GATEHOUSE_CONFIG), else
 * the built-in demo; `--port N` and `--admin-port N` as on the command-line tool. Chromium's own
 * switches share argv, so anything unknown is left alone rather than refused.
 */
import type { LaunchOptions } from '../admin/launch.js';

export type DesktopLaunchOptions = Pick<LaunchOptions, 'demo' | 'configPath' | 'port' | 'adminPort'>;

export class LaunchArgsError extends Error {
  override name = 'LaunchArgsError';
}

function portValue(flag: string, raw: string | undefined): number {
  const port = Number(raw);
  if (raw === undefined || !Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new LaunchArgsError(`${flag} needs a port number from 0 to 65535 (0 picks a free one), got ${raw === undefined ? 'nothing' : `'${raw}'`}`);
  }
  return port;
}

export function parseLaunchArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): DesktopLaunchOptions {
  const options: DesktopLaunchOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].startsWith('--') && argv[i].includes('=') ? [argv[i].slice(0, argv[i].indexOf('=')), argv[i].slice(argv[i].indexOf('=') + 1)] : [argv[i], undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--config': {
        const file = value();
        if (!file) throw new LaunchArgsError('--config needs a file: --config path/to/gatehouse.yaml');
        options.configPath = file;
        break;
      }
      case '--port':
        options.port = portValue(flag, value());
        break;
      case '--admin-port':
        options.adminPort = portValue(flag, value());
        break;
      case '--demo':
        options.demo = true;
        break;
    }
  }
  if (!options.configPath && !options.demo && env.GATEHOUSE_CONFIG) options.configPath = env.GATEHOUSE_CONFIG;
  if (!options.configPath) options.demo = true;
  return options;
}
