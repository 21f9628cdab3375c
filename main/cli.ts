/**
 * `gatehouse serve | demo | check` — the gateway without a window. The desktop app composes the
 * same pieces.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';

import { stringify } from 'yaml';

import type { LintContext, LintFinding } from '../shared/policy.js';
import { ConfigError, formatProblem } from './config/config-error.js';
import { toAgentgateway } from './config/export-agentgateway.js';
import { builtinIdpGroups } from './config/idp-groups.js';
import { toKongDeck } from './config/export-kong.js';
import { loadConfigWithNotes, type LoadedConfig } from './config/load-config.js';
import { toolsFromOpenApi } from './config/openapi-tools.js';
import { writeFileAtomically } from './config/write-file-atomically.js';
import { gatehouseConfigSchema, type GatehouseConfig } from './config/schema.js';
import { isDemoMachineClient } from './demo/demo-config.js';
import { doctorCommand } from './doctor/doctor-cli.js';
import { SECRETS_FILE_ENV } from './secrets/secret-store.js';
import { conformanceClient, login, tokensList, tokensRevoke } from './upstream/oauth/oauth-cli.js';
import { launchGatehouse, type LaunchedGatehouse } from './admin/launch.js';
import { GATEHOUSE_VERSION, type RunningGateway } from './gateway/gateway.js';
import { lintPolicy } from './policy/index.js';
import { specLocation } from './upstream/openapi-upstream.js';

const USAGE = `Gatehouse ${GATEHOUSE_VERSION} — a local MCP gateway

Usage:
  gatehouse demo  [--port N] [--no-auth]        built-in demo: a sample shop API and server-everything,
                                                protected by the built-in identity provider
  gatehouse serve --config FILE [--port N]      run the gateway from a YAML config (reloads on change)
  gatehouse check --config FILE                 validate a config and print every problem
  gatehouse export kong|agentgateway --config FILE [--out FILE]
                                                write the config for the team gateway, listing what does not translate
  gatehouse import openapi SPEC [--base-url URL] [--route /PATH] [--name NAME]
                 [--tag T]... [--operation ID]... [--out FILE]
                                                turn an OpenAPI 3.0/3.1 document into a route of REST tools
  gatehouse login ROUTE/UPSTREAM --config FILE  sign Gatehouse in to a secured upstream (system browser);
                                                the tokens go to the OS keychain
  gatehouse tokens list                         the upstream tokens and client registrations in the keychain
  gatehouse tokens revoke ROUTE/UPSTREAM|ID [--config FILE]
                                                forget them here and revoke them at the identity provider
  gatehouse conformance-client URL              the OAuth client, non-interactive (for the MCP conformance suite)
  gatehouse doctor URL [--json] [--timeout MS]   check an MCP server's OAuth setup against the spec and
                                                the known client/IdP pitfalls (exit 1 when a check fails)

Options:
  --config, -c FILE   the config file (docs/configuration.md)
  --port, -p N        listen on this port instead of listen.port (0 picks a free one)
  --host HOST         bind this interface instead of listen.host (default 127.0.0.1)
  --secrets-file      keep secrets in an encrypted file in ~/.gatehouse when no OS keychain is
                      available (needs GATEHOUSE_SECRETS_PASSPHRASE)
  --help, -h          this text
`;

class UsageError extends Error {}

function parsePort(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a number from 0 to 65535, got "${value}"`);
  return port;
}

function printServing(gateway: RunningGateway, config: GatehouseConfig): void {
  console.log(`Gatehouse ${GATEHOUSE_VERSION} listening on ${gateway.host}:${gateway.port}`);
  for (const route of config.routes) {
    const upstreams = route.upstreams.map((u) => `${u.name} (${u.kind})`).join(', ');
    console.log(`  ${gateway.url(route.path)}  →  ${upstreams}`);
  }
  if (!['127.0.0.1', 'localhost', '::1'].includes(gateway.host)) {
    console.warn(`warning: bound to ${gateway.host}, not loopback — anyone who can reach this machine can use these MCP servers`);
  }
}

function printLint(findings: Array<LintFinding & { route?: string }>): void {
  for (const finding of findings) {
    console.warn(`warning: ${finding.route ? `route ${finding.route}: ` : ''}acl rule "${finding.ruleId}": ${finding.message} — ${finding.fix}`);
  }
}

/** What `check` can lint without running anything: declared REST tools, and the built-in IdP's groups. */
function staticLint(config: GatehouseConfig): Array<LintFinding & { route: string }> {
  return config.routes.flatMap((route) => {
    if (!route.acl) return [];
    const restOnly = route.upstreams.every((u) => u.kind === 'rest');
    const tools = route.upstreams.flatMap((u) => (u.kind === 'rest' ? u.tools.map((t) => t.name) : []));
    const context: LintContext = {
      ...(restOnly ? { catalog: { tools, prompts: [], resources: [], resource_templates: [] } } : {}),
      ...(route.auth?.issuer === 'builtin' && config.idp ? { knownGroups: builtinIdpGroups(config.idp) } : {}),
    };
    return lintPolicy(route.acl, context).map((finding) => ({ ...finding, route: route.path }));
  });
}

function reportUpstreamStates(gateway: RunningGateway): void {
  gateway.trace.subscribe((event) => {
    if (event.type === 'upstream.state' && event.state !== 'connected' && event.state !== 'closed' && !event.session) {
      console.warn(`[${event.route}] upstream ${event.upstream}: ${event.state}${event.detail ? ` — ${event.detail}` : ''}`);
    }
  });
}

/** Closes everything on SIGINT/SIGTERM; a second signal exits at once. */
function closeOnSignals(close: () => Promise<void>): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) process.exit(130);
    closing = true;
    console.log(`\n${signal}: shutting down (upstream processes included)…`);
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`shutdown failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

function printNotes(loaded: Pick<LoadedConfig, 'format' | 'notes'>): void {
  if (loaded.format !== 'gatehouse') console.log(`${loaded.format} config: translated to Gatehouse's model`);
  for (const note of loaded.notes) console.warn(`warning: not honoured: ${formatProblem(note)}`);
}

function reportReloads(launched: LaunchedGatehouse): void {
  launched.gateway.trace.subscribe((event) => {
    if (event.type === 'config.reloaded') {
      console.log(`Config reloaded from ${event.file}`);
      printLint(launched.gateway.lint());
    }
    if (event.type === 'config.rejected') {
      console.error(`Config change rejected, the last good config keeps running:\n${(event.problems ?? []).map((p) => `  ${p}`).join('\n')}`);
    }
  });
}

function printWindow(launched: LaunchedGatehouse): void {
  for (const warning of launched.warnings) console.warn(`warning: ${warning}`);
  console.log(`\nWindow (routes, catalogs, handshake trace, decisions): ${launched.admin.windowUrl}`);
  console.log('  The link carries this launch\'s admin token: keep it to yourself.');
}

async function serve(file: string, port?: number, host?: string): Promise<void> {
  const launched = await launchGatehouse({ configPath: file, port, host });
  if (launched.loaded) printNotes(launched.loaded);
  const { gateway } = launched;
  reportUpstreamStates(gateway);
  printServing(gateway, gateway.config);
  printLint(gateway.lint());
  printWindow(launched);
  console.log(`Watching ${file} for changes.`);
  reportReloads(launched);
  closeOnSignals(() => launched.close());
}

async function demo(port = 8400, auth = true): Promise<void> {
  const launched = await launchGatehouse({ demo: true, port, auth });
  const { gateway } = launched;
  const config = gateway.config;
  reportUpstreamStates(gateway);
  printServing(gateway, config);
  console.log(`\nSample shop API (the REST backend of /ecommerce-mcp): ${launched.demo!.shopUrl}`);
  if (gateway.idp) {
    const users = config.idp!.users.map((user) => `${user.username} (${user.groups.join(', ') || 'no group'})`).join(', ');
    console.log(`Built-in identity provider: ${gateway.idp.issuer}`);
    console.log(`  Sign in as ${users} — password: ${config.idp!.users[0]!.password === 'demo' ? 'demo' : '(from your config)'}`);
    for (const client of config.idp!.clients) {
      const secret = isDemoMachineClient(client) ? `, secret ${client.client_secret}` : '';
      console.log(`  Machine client ${client.client_id} (${client.groups.join(', ') || 'no group'}${secret}): tokens by client_credentials, for scripts and CI — the window's "Copy client config" has the commands`);
    }
  }
  const shopUrl = gateway.url('/ecommerce-mcp');
  console.log(`\nConnect a client${gateway.idp ? ' (it opens the sign-in page of the identity provider)' : ''}:
  claude mcp add --transport http gatehouse-shop ${shopUrl}
  Cursor / VS Code mcp.json: { "servers": { "gatehouse-shop": { "type": "http", "url": "${shopUrl}" } } }
  ${gateway.idp ? `MCP Inspector: npx @modelcontextprotocol/inspector@2, then connect to ${shopUrl}` : `npx @modelcontextprotocol/inspector@2 --cli ${shopUrl} --transport http --method tools/list`}`);
  printWindow(launched);
  closeOnSignals(() => launched.close());
}

async function check(file: string): Promise<number> {
  const loaded = await loadConfigWithNotes(file);
  const config = loaded.config;
  const upstreams = config.routes.reduce((n, route) => n + route.upstreams.length, 0);
  const notes: string[] = [];
  const problems: string[] = [];
  for (const route of config.routes) {
    for (const upstream of route.upstreams) {
      if (upstream.kind !== 'openapi') continue;
      const where = `${route.path} › ${upstream.name}`;
      try {
        const imported = await toolsFromOpenApi(specLocation(upstream.spec, path.dirname(path.resolve(file))), { tags: upstream.include?.tags, operationIds: upstream.include?.operations });
        notes.push(`  ${where}: ${imported.tools.length} tool(s) from ${upstream.spec}${imported.skipped.length ? `, ${imported.skipped.length} operation(s) skipped` : ''}`);
        for (const skipped of imported.skipped) notes.push(`warning: ${where}: skipped ${skipped.operation}: ${skipped.reason}`);
        if (!upstream.base_url && imported.servers.length === 0) problems.push(`${file}: ${where}: ${upstream.spec} lists no servers — set base_url`);
      } catch (error) {
        problems.push(`${file}: ${where}: ${(error as Error).message}`);
      }
    }
  }
  if (problems.length) {
    console.error(`${problems.length} problem(s) in the config:\n${problems.join('\n')}`);
    return 1;
  }
  console.log(`${file}: OK — ${config.routes.length} route(s), ${upstreams} upstream(s), listening on ${config.listen.host}:${config.listen.port}`);
  printNotes(loaded);
  for (const note of notes) (note.startsWith('warning') ? console.warn : console.log)(note);
  const findings = staticLint(config);
  printLint(findings);
  if (findings.length) console.warn(`${findings.length} ACL lint finding(s); the config is valid, but these rules do not do what they look like.`);
  return 0;
}

/** Writes the equivalent file for Kong (decK) or agentgateway, and lists what does not translate. */
async function exportConfig(target: 'kong' | 'agentgateway', file: string, out?: string): Promise<number> {
  const { config } = await loadConfigWithNotes(file);
  const { document, untranslated } = target === 'kong' ? toKongDeck(config) : toAgentgateway(config);
  const text = stringify(document, { lineWidth: 0 });
  for (const note of untranslated) console.warn(`not translated: ${note.field}: ${note.message}`);
  if (out) {
    await writeFileAtomically(out, text);
    console.error(`wrote ${out} for ${target}${untranslated.length ? ` (${untranslated.length} item(s) not translated, listed above)` : ''}`);
  } else {
    process.stdout.write(text);
  }
  return 0;
}

/** Prints (or writes) a Gatehouse config with one route whose REST tools come from an OpenAPI document. */
async function importOpenApi(
  spec: string,
  options: { baseUrl?: string; route: string; name: string; tags: string[]; operations: string[]; out?: string },
): Promise<number> {
  const imported = await toolsFromOpenApi(specLocation(spec, process.cwd()), { tags: options.tags, operationIds: options.operations });
  const baseUrl = options.baseUrl ?? imported.servers[0];
  if (!baseUrl) throw new UsageError(`${spec} lists no servers: pass --base-url URL`);
  for (const skipped of imported.skipped) console.warn(`skipped ${skipped.operation}: ${skipped.reason}`);
  if (imported.tools.length === 0) {
    console.error(`no operation of ${spec} became a tool${options.tags.length || options.operations.length ? ' (check --tag / --operation)' : ''}`);
    return 1;
  }
  const config = gatehouseConfigSchema.parse({
    routes: [{ path: options.route, description: `Imported from ${path.basename(spec)}`, upstreams: [{ name: options.name, kind: 'rest', base_url: baseUrl, tools: imported.tools }] }],
  });
  const yaml = stringify({ routes: config.routes.map(({ path: routePath, description, upstreams }) => ({ path: routePath, description, upstreams })) }, { lineWidth: 0 });
  if (options.out) {
    await writeFileAtomically(options.out, yaml);
    console.error(`wrote ${options.out}: ${imported.tools.length} tool(s) on route ${options.route}`);
  } else {
    process.stdout.write(yaml);
    console.error(`${imported.tools.length} tool(s) on route ${options.route}`);
  }
  return 0;
}

/** `--secrets-file` is the explicit opt-in to the encrypted file, the same as its environment variable. */
function secretsEnv(secretsFile: boolean | undefined): NodeJS.ProcessEnv {
  return secretsFile ? { ...process.env, [SECRETS_FILE_ENV]: '1' } : process.env;
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c' },
        port: { type: 'string', short: 'p' },
        host: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        'no-auth': { type: 'boolean' },
        'base-url': { type: 'string' },
        route: { type: 'string' },
        name: { type: 'string' },
        tag: { type: 'string', multiple: true },
        operation: { type: 'string', multiple: true },
        out: { type: 'string' },
        json: { type: 'boolean' },
        'secrets-file': { type: 'boolean' },
        timeout: { type: 'string' },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  try {
    const port = parsePort(values.port);
    switch (command) {
      case 'demo':
        await demo(port, !values['no-auth']);
        return -1;
      case 'serve':
        if (!values.config) throw new UsageError('serve needs --config FILE');
        await serve(values.config, port, values.host);
        return -1;
      case 'check':
        if (!values.config) throw new UsageError('check needs --config FILE');
        return await check(values.config);
      case 'export': {
        const [, target] = positionals;
        if ((target !== 'kong' && target !== 'agentgateway') || !values.config) {
          throw new UsageError('export needs a target and a config: gatehouse export kong|agentgateway --config FILE');
        }
        return await exportConfig(target, values.config, values.out);
      }
      case 'import': {
        const [, format, spec] = positionals;
        if (format !== 'openapi' || !spec) throw new UsageError('import needs a format and a document: gatehouse import openapi SPEC');
        return await importOpenApi(spec, {
          baseUrl: values['base-url'],
          route: values.route ?? '/api',
          name: values.name ?? 'api',
          tags: values.tag ?? [],
          operations: values.operation ?? [],
          out: values.out,
        });
      }
      case 'login': {
        const [, target] = positionals;
        if (!target || !values.config) throw new UsageError('login needs a target and a config: gatehouse login ROUTE/UPSTREAM --config FILE');
        return await login(values.config, target, { env: secretsEnv(values['secrets-file']) });
      }
      case 'tokens': {
        const [, action, target] = positionals;
        if (action === 'list') return await tokensList({ env: secretsEnv(values['secrets-file']) });
        if (action === 'revoke' && target) return await tokensRevoke(target, { configFile: values.config, env: secretsEnv(values['secrets-file']) });
        throw new UsageError('tokens needs list, or revoke and a target: gatehouse tokens revoke ROUTE/UPSTREAM --config FILE');
      }
      case 'conformance-client': {
        const [, url] = positionals;
        if (!url) throw new UsageError('conformance-client needs the MCP server URL');
        return await conformanceClient(url);
      }
      case 'doctor': {
        const [, url] = positionals;
        if (!url) throw new UsageError('doctor needs the URL of an MCP server: gatehouse doctor http://localhost:8400/ecommerce-mcp');
        const timeoutMs = values.timeout === undefined ? undefined : Number(values.timeout);
        if (timeoutMs !== undefined && !(timeoutMs > 0)) throw new UsageError(`--timeout must be a number of milliseconds, got "${values.timeout}"`);
        return await doctorCommand(url, { json: values.json, timeoutMs });
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`${error.problems.length} problem(s) in the config:\n${error.message}`);
      return 1;
    }
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    console.error(`gatehouse: ${(error as Error).message}`);
    return 1;
  }
}
