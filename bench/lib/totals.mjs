// The figures of a bench run (issue 14 point 5, issue 15 points 1 and 7) and their markdown, shared by run.mjs
// (one run) and summarize.mjs (several runs' JSON side by side).
import { markdownTable, median, quantile } from './cases.mjs'

export const verdictOf = (r) => (r.error ? 'error' : r.leaked ? 'leak' : 'clean')
export const isCorrect = (r) => !r.error && (r.leaked ? 'leak' : 'clean') === r.label
export const ms = (value) => (value === undefined || Number.isNaN(value) ? '—' : value.toFixed(0))
export const mb = (kb) => (kb === undefined || Number.isNaN(kb) ? '—' : (kb / 1024).toFixed(0))
export const percent = (part, whole) => (whole === 0 ? '—' : `${part}/${whole} (${Math.round((100 * part) / whole)}%)`)
/** Naming is checked on leaks found by an approach that diagnoses (leakproof with diagnosis on). */
export const namingOf = (r) => (r.label === 'leak' && r.leaked ? r.naming : undefined)
const max = (values) => (values.length > 0 ? Math.max(...values) : Number.NaN)

/**
 * One approach's figures. Clean figures are over clean cases called clean, leak figures over leaking cases called
 * leaks (a wrong verdict is counted as such, not timed with the right ones); p95 is nearest-rank.
 */
export function totalsOf(rows) {
  const ok = rows.filter((r) => !r.error)
  const clean = ok.filter((r) => r.label === 'clean' && !r.leaked).map((r) => r.verdictMs)
  const leaks = ok.filter((r) => r.label === 'leak' && r.leaked).map((r) => r.verdictMs)
  const diagnosis = ok.filter((r) => r.diagnosisMs !== undefined).map((r) => r.diagnosisMs)
  const checked = rows.filter((r) => namingOf(r) !== undefined)
  return {
    cases: rows.length,
    correct: rows.filter(isCorrect).length,
    falsePositives: ok.filter((r) => r.leaked && r.label === 'clean').length,
    falseNegatives: ok.filter((r) => !r.leaked && r.label === 'leak').length,
    errors: rows.length - ok.length,
    cleanMedianMs: median(clean),
    cleanP95Ms: quantile(clean, 0.95),
    leakMedianMs: median(leaks),
    leakP95Ms: quantile(leaks, 0.95),
    diagnosisMedianMs: median(diagnosis),
    diagnosisMaxMs: max(diagnosis),
    totalMedianMs: median(ok.map((r) => r.totalMs)),
    peakRssMedianKb: median(ok.map((r) => r.maxRssKb)),
    peakRssMaxKb: max(ok.map((r) => r.maxRssKb)),
    baselineRssMedianKb: median(ok.map((r) => r.baselineRssKb)),
    overBaselineMaxKb: max(ok.map((r) => r.maxRssKb - r.baselineRssKb)),
    named: checked.filter((r) => r.naming.named).length,
    /** Named by what leaked or what holds it (a type, a retainer path, a handle or listener), not by a site alone. */
    namedByObject: checked.filter((r) => r.naming.matches.some((m) => !m.startsWith('site '))).length,
    namingChecked: checked.length,
  }
}

export const TOTALS_NOTE =
  'Verdict ms: until the verdict (for leakproof `report.durationMs`, which ends before the diagnosis starts); clean' +
  ' figures over clean cases called clean, leak figures over leaking cases called leaks; p95 nearest-rank. +RSS:' +
  ' peak RSS minus the RSS of the same process with the case loaded, before any call. Named: leaks whose failure' +
  ' message names one of the case\'s `names`; "by object": by a type, retainer, handle or listener, not by an' +
  ' allocation site alone.'

/** `rows`: [{ name, totals }], one line each (an approach, or one run of it). */
export function totalsTable(rows) {
  return markdownTable(
    [
      'approach',
      'correct',
      'FP',
      'FN',
      'errors',
      'clean median ms',
      'clean p95 ms',
      'leak median ms',
      'leak p95 ms',
      'diagnosis median ms',
      'diagnosis max ms',
      'total median ms',
      'peak RSS median MB',
      'peak RSS max MB',
      'max +RSS MB',
      'named',
    ],
    rows.map(({ name, totals: t }) => [
      name,
      `${t.correct}/${t.cases}`,
      t.falsePositives,
      t.falseNegatives,
      t.errors,
      ms(t.cleanMedianMs),
      ms(t.cleanP95Ms),
      ms(t.leakMedianMs),
      ms(t.leakP95Ms),
      ms(t.diagnosisMedianMs),
      ms(t.diagnosisMaxMs),
      ms(t.totalMedianMs),
      mb(t.peakRssMedianKb),
      mb(t.peakRssMaxKb),
      mb(t.overBaselineMaxKb),
      t.namingChecked > 0 ? `${percent(t.named, t.namingChecked)}, ${t.namedByObject} by object` : '—',
    ]),
  )
}

/**
 * The targets, from the totals of leakproof (diagnosis on, the default) and leakproof-nodiag. The leak verdict's
 * target is with diagnosis off: from leakproof-nodiag when it ran, else from leakproof (whose calls stop earlier to
 * leave the diagnosis its time, so its verdicts are if anything quicker).
 */
export function targetRows(withDiagnosis, withoutDiagnosis) {
  const main = withDiagnosis ?? withoutDiagnosis
  const leak = withoutDiagnosis ?? withDiagnosis
  const leakFrom = withoutDiagnosis ? 'leakproof-nodiag' : 'leakproof'
  const target = (name, figure, met) => [name, figure, /NaN|—/.test(figure) ? 'n/a' : met ? 'met' : '**missed**']
  const rows = [
    target('clean verdict median ≤ 300 ms', `${ms(main.cleanMedianMs)} ms`, main.cleanMedianMs <= 300),
    target('clean verdict p95 ≤ 1,000 ms', `${ms(main.cleanP95Ms)} ms`, main.cleanP95Ms <= 1000),
    target(`leak verdict median ≤ 600 ms (${leakFrom})`, `${ms(leak.leakMedianMs)} ms`, leak.leakMedianMs <= 600),
    target('0 false positives', String(main.falsePositives), main.falsePositives === 0),
    target('all verdicts right', `${main.correct}/${main.cases}`, main.correct === main.cases),
    target('peak RSS ≤ baseline + 100 MB', `max +${mb(main.overBaselineMaxKb)} MB`, main.overBaselineMaxKb <= 102400),
  ]
  if (withDiagnosis) {
    const d = withDiagnosis
    rows.push(
      target('diagnosis median ≤ 1,000 ms', `${ms(d.diagnosisMedianMs)} ms`, d.diagnosisMedianMs <= 1000),
      target('diagnosis max ≤ 2,000 ms', `${ms(d.diagnosisMaxMs)} ms`, d.diagnosisMaxMs <= 2000),
      target('leaks named ≥ 90%', percent(d.named, d.namingChecked), d.named >= 0.9 * d.namingChecked),
    )
  }
  return rows
}

export function targetsTable(withDiagnosis, withoutDiagnosis) {
  return markdownTable(['target', 'figure', ''], targetRows(withDiagnosis, withoutDiagnosis))
}

/** One line per wrong verdict and per leak left unnamed, with what a reader needs to judge it without a re-run. */
export function problemLines(results) {
  const lines = []
  for (const r of results.filter((x) => !isCorrect(x))) {
    const head = `- ${r.case} · ${r.approach}: labelled ${r.label}, got ${verdictOf(r)}`
    if (r.error) {
      lines.push(`${head} (${r.error.slice(0, 200)})`)
    } else if (r.detail?.passes) {
      const passes = r.detail.passes
        .map((p) => {
          const span = p.cumulativeRates?.[r.metric]
          const spanText = span === undefined ? '' : ` (span ${span.toFixed(2)})`
          return `${p.callsPerBatch}/batch ${p.rates?.[r.metric]?.toFixed(2)}${spanText}`
        })
        .join(' → ')
      lines.push(
        `${head}; stop ${r.stop}, ${r.calls} calls in ${ms(r.verdictMs)} ms: ${r.detail.verdict}; ` +
          `${r.metric} per call, per pass: ${passes}`,
      )
    } else {
      lines.push(`${head}; ${r.perCall?.toFixed(2)} per call, ${JSON.stringify(r.detail ?? {}).slice(0, 200)}`)
    }
  }
  for (const r of results.filter((x) => namingOf(x) && !x.naming.named)) {
    const d = r.detail?.diagnosis
    const notes = d?.notes.length ? `; notes: ${d.notes.join(' ')}` : ''
    lines.push(
      `- ${r.case} · ${r.approach}: leak not named; types [${d?.types.join('; ') ?? ''}], ` +
        `sites [${d?.sites.join('; ') ?? ''}], retainers [${d?.retainers.join('; ') ?? ''}]${notes}`,
    )
  }
  return lines
}
