import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'

// A measurement holds V8's optimisation from the end of its warm-up (engine/optimization.ts) and gives it back on every
// exit path. A child with natives syntax asks V8 to optimise a fresh function and reads whether it did.
const core = fileURLToPath(new URL('../dist/index.mjs', import.meta.url))
const program = `
  // Compiled before leakproof loads; the semicolons keep '%' from reading as a modulo.
  const optimizes = () => {
    const probe = new Function('x', 'return x + 1');
    %PrepareFunctionForOptimization(probe);
    probe(1);
    probe(2);
    %OptimizeFunctionOnNextCall(probe);
    probe(3);
    return %ActiveTierIsTurbofan(probe);
  };
  const before = optimizes();
  const { measureLeak } = await import(${JSON.stringify(core)});
  let calls = 0;
  let duringSync;
  const sync = measureLeak(() => { if (++calls % 97 === 0) duringSync = optimizes() }, { diagnose: false });
  const afterSync = optimizes();
  let duringAsync;
  await measureLeak(async () => { await null; if (++calls % 97 === 0) duringAsync = optimizes() }, { diagnose: false });
  const afterAsync = optimizes();
  let thrown = 0;
  let error;
  try {
    measureLeak(() => { if (++thrown === 30000) throw new Error('boom') }, { diagnose: false });
  } catch (caught) {
    error = caught.code;
  }
  console.log(JSON.stringify({ before, duringSync, afterSync, duringAsync, afterAsync, error, afterError: optimizes(), leaked: sync.leaked }));
`

test('optimisation is held during a measurement and given back after it, also when fn throws', () => {
  const run = spawnSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', program], {
    encoding: 'utf8',
  })
  expect(run.status, run.stderr).toBe(0)
  const result = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}')
  expect(result).toEqual({
    before: true,
    duringSync: false,
    afterSync: true,
    duringAsync: false,
    afterAsync: true,
    error: 'threw',
    afterError: true,
    leaked: false,
  })
})
