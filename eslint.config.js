// Lint is syntax-only (no type information) so it stays fast; `npm run typecheck` does the typing.
//
// The layering rules below are the architecture, checked at error level (STYLE.md): only
// main/app/ talks to Electron, main/policy/ is pure decision logic that imports only shared/ and
// itself, and the renderer imports only shared/ and browser packages. Do not relax them to make
// an import pass: move the code to the layer it belongs to, or the type to shared/.
import { builtinModules } from 'node:module';

import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

/**
 * Packages main/policy/ may import although they are not shared/ — each must be pure (no I/O, no
 * Node built-ins) and say why here.
 */
const POLICY_ALLOWED_PACKAGES = [
  // Schemas for the route's `acl` key (policy-schema.ts); parsing values in memory, no I/O.
  'zod',
  // CEL for rule conditions (rule-condition.ts): zero dependencies, no I/O, no clock; parses once
  // per rule set and evaluates on data passed in.
  '@marcbachmann/cel-js',
];

// Deepest sub-folder of a layer the relative-path rules are written out for; files nested deeper
// may not use `../` at all (see layerBlocks).
const MAX_LAYER_DEPTH = 5;

const escapeRegex = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Node built-ins with and without the `node:` scheme, and their subpaths (`fs/promises`). */
const NODE_BUILTIN = `(?:node:|(?:${builtinModules.filter((m) => !m.startsWith('_')).map(escapeRegex).join('|')})(?:/|$))`;
const NODE_BUILTINS = { regex: `^${NODE_BUILTIN}`, caseSensitive: true };

const ELECTRON = {
  regex: '^electron(?:/|$)',
  caseSensitive: true,
  message: 'Only main/app/ may import Electron (STYLE.md layering): keep this code testable without it.',
};

/**
 * `./a/../../b`, `./..`, `..`: a relative path the per-depth rules cannot read reliably. Write it
 * normalised (`../b`).
 */
const UNNORMALISED_RELATIVE = {
  regex: '(?:^|/)(?!\\.\\./)[^/]+/\\.\\.(?:/|$)|(?:^|/)\\.\\.?$',
  caseSensitive: true,
  message: 'Write relative imports normalised (leading ../ only) so the layering rules can check them.',
};

/**
 * Config blocks for a layer folder whose files may leave the folder only towards the repo's
 * shared/ folder. `layer` is the folder (e.g. 'main/policy'); `base` is the rest of the rule's
 * patterns for that layer. One block per nesting depth, since a relative path only says where it
 * leads once you know how deep the importing file sits.
 */
function layerBlocks({ layer, files, ignores = [], base, message }) {
  const layerDepth = layer.split('/').length;
  const glob = (depth) => files.map((f) => `${layer}/${'*/'.repeat(depth)}${f}`);
  const rule = (patterns) => ({ 'no-restricted-imports': ['error', { patterns: [...base, UNNORMALISED_RELATIVE, ...patterns] }] });
  const blocks = [
    {
      // Fallback for files nested deeper than MAX_LAYER_DEPTH: no parent-relative imports at all.
      files: files.map((f) => `${layer}/**/${f}`),
      ignores,
      rules: rule([{ regex: '^\\.\\./', caseSensitive: true, message }]),
    },
  ];
  for (let depth = 0; depth <= MAX_LAYER_DEPTH; depth++) {
    // Leaving the layer takes (depth + 1) `../`; from there, shared/ is (layerDepth - 1) more.
    const leaveLayer = `^(?:\\.\\./){${depth + 1}}`;
    const thenShared = `(?:\\.\\./){${layerDepth - 1}}shared/`;
    blocks.push({
      files: glob(depth),
      ignores,
      rules: rule([{ regex: `${leaveLayer}(?!${thenShared})`, caseSensitive: true, message }]),
    });
  }
  return blocks;
}

export default defineConfig([
  // Mirrors .gitignore: what git never sees, CI never lints.
  globalIgnores(['**/node_modules/', 'dist/', 'out/', 'release/', 'renderer/dist/', 'coverage/', '.gatehouse-test/', 'scratch/']),

  tseslint.configs.recommended,

  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      // Everywhere but main/app/: no Electron.
      'no-restricted-imports': ['error', { patterns: [ELECTRON] }],
    },
  },

  {
    files: ['main/app/**'],
    rules: { 'no-restricted-imports': 'off' },
  },

  ...layerBlocks({
    layer: 'main/policy',
    files: ['*.ts'],
    base: [
      ELECTRON,
      {
        ...NODE_BUILTINS,
        message: 'main/policy/ is pure decision logic: no Node built-ins (STYLE.md layering). Pass what it needs in as data.',
      },
      {
        // Any other package: anything that is neither a relative path, a built-in (reported
        // above) nor allowed in POLICY_ALLOWED_PACKAGES.
        regex: `^(?!\\.{1,2}/|${NODE_BUILTIN}${POLICY_ALLOWED_PACKAGES.map((p) => `|${escapeRegex(p)}(?:/|$)`).join('')})`,
        caseSensitive: true,
        message: 'main/policy/ imports only shared/ and main/policy/ (STYLE.md layering). If a pure package is truly needed, add it to POLICY_ALLOWED_PACKAGES in eslint.config.js with the reason.',
      },
    ],
    message: 'main/policy/ imports only shared/ and main/policy/ (STYLE.md layering): move the type to shared/ or pass the value in.',
  }),

  ...layerBlocks({
    layer: 'renderer',
    files: ['*.ts', '*.tsx', '*.js', '*.jsx', '*.mts', '*.mjs'],
    // Build tooling next to the renderer runs in Node, not in the window.
    ignores: ['renderer/*.config.*'],
    base: [
      ELECTRON,
      {
        ...NODE_BUILTINS,
        message: 'The renderer runs in a sandboxed window: no Node built-ins (STYLE.md layering). Ask the admin API instead.',
      },
    ],
    message: 'The renderer imports only shared/ and browser packages (STYLE.md layering), never main/: talk to the gateway through the admin API.',
  }),

  {
    // main/policy/ must not load anything at run time either.
    files: ['main/policy/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: 'ImportExpression', message: 'main/policy/ is pure decision logic: no dynamic import().' },
      ],
    },
  },

  {
    files: ['test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
]);
