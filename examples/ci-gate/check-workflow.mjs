// This example's test: reads leaks.yml as GitHub Actions would, checks that its jobs fit together (shards → blob
// artifacts → one merge job that runs even when a shard failed), then runs its `run:` commands here, in order: each
// shard, then the merge, with GitHub's variables set. Twice: as main is (the known leak passes, exit 0), and as a
// pull request that adds a leak (NEW_LEAK=1: the merge fails and annotates the assertion's line). Exit 1 on any
// difference.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

// biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not a JavaScript template.
const MATRIX_SHARD = '${{ matrix.shard }}'
const root = dirname(fileURLToPath(import.meta.url))
const workflow = parse(readFileSync(join(root, 'leaks.yml'), 'utf8'))
const problems = []
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`)
  if (!ok) problems.push(what)
}

const { test, leaks } = workflow.jobs ?? {}
const shards = test?.strategy?.matrix?.shard ?? []
check(Array.isArray(shards) && shards.length >= 2, `the test job runs in shards (${JSON.stringify(shards)})`)
check(test?.strategy?.['fail-fast'] === false, 'a failing shard does not cancel the others (fail-fast: false)')
check([leaks?.needs].flat().includes('test'), 'the leaks job waits for the test job')
check(String(leaks?.if).includes('!cancelled()'), 'the leaks job runs when a shard failed too')
const uses = (job, action) => job?.steps?.find((step) => step.uses?.startsWith(action))
const upload = uses(test, 'actions/upload-artifact@')
const download = uses(leaks, 'actions/download-artifact@')
check(upload?.with?.path === '.vitest-reports/*', 'each shard uploads its blob report')
check(upload?.with?.['include-hidden-files'] === true, 'the upload keeps the hidden .vitest-reports folder')
check(
  download?.with?.path === '.vitest-reports' && download?.with?.['merge-multiple'] === true,
  'the leaks job downloads every shard into .vitest-reports',
)
check(
  download?.with?.pattern?.replace('*', '') === upload?.with?.name?.replace(MATRIX_SHARD, ''),
  "the download pattern matches the shards' artifact names",
)
const commands = (job) => (job?.steps ?? []).map((step) => step.run).filter((run) => run && run !== 'npm ci')
check(
  commands(test).some((run) => run.includes('--reporter=blob') && run.includes(`/${shards.length}`)),
  'each shard writes a blob report of its part',
)
check(
  commands(leaks).some((run) => run.includes('--merge-reports')),
  'the leaks job merges them',
)

/** Runs the workflow's commands here, as one pull request's jobs would. */
function runWorkflow(label, env) {
  rmSync(join(root, '.vitest-reports'), { recursive: true, force: true })
  rmSync(join(root, '.leakproof'), { recursive: true, force: true })
  const github = mkdtempSync(join(tmpdir(), 'leakproof-ci-gate-'))
  const run = (command, extra) => {
    console.log(`\n$ ${command}`)
    const result = spawnSync(command, {
      cwd: root,
      shell: true,
      encoding: 'utf8',
      env: { ...process.env, CI: 'true', ...env, ...extra },
    })
    process.stdout.write(result.stdout.split('\n').slice(-8).join('\n'))
    return { code: result.status, output: `${result.stdout}${result.stderr}` }
  }
  const shardCodes = shards.map((shard) =>
    commands(test).map((command) => run(command.replaceAll(MATRIX_SHARD, String(shard)), {})),
  )
  const stepSummary = join(github, 'summary.md')
  const merge = commands(leaks).map((command) =>
    run(command, { GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: root, GITHUB_STEP_SUMMARY: stepSummary }),
  )
  let summary = ''
  try {
    summary = readFileSync(stepSummary, 'utf8')
  } catch {}
  rmSync(github, { recursive: true, force: true })
  console.log(`\n--- ${label}`)
  return { shards: shardCodes.flat(), merge: merge.at(-1), summary }
}

const main = runWorkflow('as main is', { NEW_LEAK: '0' })
check(
  main.shards.every((shard) => shard.code === 0),
  'main: every shard passes (the leak it has is in the baseline)',
)
check(main.merge?.code === 0, 'main: the merge job passes')
check(main.summary.includes('3 leak assertions, 1 leaking (1 known).'), 'main: the job summary lists the known leak')
check(!main.merge?.output.includes('::error '), 'main: no annotation')

const pr = runWorkflow('a pull request that adds a leak', { NEW_LEAK: '1' })
check(
  pr.shards.some((shard) => shard.code === 1),
  'pull request: the shard with the new leak fails',
)
check(pr.merge?.code === 1, 'pull request: the merge job fails')
const line =
  readFileSync(join(root, 'test/sessions.test.ts'), 'utf8')
    .split('\n')
    .findIndex((text) => text.includes('.not.toLeak()')) + 1
check(
  pr.merge?.output.includes(`::error file=test/sessions.test.ts,line=${line},title=leakproof%3A a request opens`),
  `pull request: the merge annotates test/sessions.test.ts:${line}`,
)
check(
  /\| a request opens and closes its session \| test\/sessions\.test\.ts:\d+ \| heap \| .* \| LEAK \(new\) \|/.test(
    pr.summary,
  ),
  'pull request: the job summary marks the leak new',
)

rmSync(join(root, '.vitest-reports'), { recursive: true, force: true })
if (problems.length > 0) {
  console.error(`\ncheck-workflow: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`)
  process.exit(1)
}
console.log('\ncheck-workflow: the workflow gates as it says')
