#!/usr/bin/env node
// The `leakproof` command (merge, summary, compare) lives in @leakproof/core. Each adapter ships it as well, so that
// `npx leakproof` works where only direct dependencies get their commands linked (pnpm).
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'

const core = dirname(createRequire(import.meta.url).resolve('@leakproof/core/package.json'))
await import(pathToFileURL(join(core, 'dist', 'cli.mjs')).href)
