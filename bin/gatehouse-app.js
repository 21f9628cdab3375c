#!/usr/bin/env node
// `npm start`: the desktop app in Electron, or — where Electron's binary is missing — the same
// Gatehouse with its window in the default browser. Runs the TypeScript sources through tsx, as
// bin/gatehouse.js does; Electron itself runs the built out/main/app.js.
import { register } from 'tsx/esm/api';

register();
const { runApp } = await import('../main/app/run-app.ts');
const code = await runApp(process.argv.slice(2));
// The browser fallback returns -1 and exits on a signal instead.
if (code >= 0) process.exit(code);
