import { formatPerCall, unitOf } from '../format.js'
import type { ResolvedOptions } from '../options.js'
import { splitListenerKey } from '../probes/listeners.js'
import type { LeakDetails, LeakLimits, LeakPass, LeakReport, MetricName, MetricResult } from '../report.js'
import { METRIC_NAMES } from '../report.js'
import type { EngineOutcome } from './engine.js'
import type { Instruments } from './instruments.js'
import { CONFIRM_PASSES } from './plan.js'

/** Entries of each breakdown listed in the report. */
const MAX_DETAILS = 10

export interface ReportContext {
  options: ResolvedOptions
  instruments: Instruments
  mode: 'sync' | 'async'
  durationMs: number
  limits: LeakLimits
}

export function buildReport(outcome: EngineOutcome, context: ReportContext): LeakReport {
  const { passes, states, warmupCalls } = outcome
  const { options, instruments } = context
  const last = passes.at(-1) as LeakPass
  const metrics = {} as Record<MetricName, MetricResult>
  for (const metric of METRIC_NAMES) {
    const measured =
      metric === 'handles'
        ? instruments.measuresHandles
        : metric === 'descriptors'
          ? instruments.measuresDescriptors
          : true
    const exceeded = states[metric] === 'leak'
    const spanRate = (last.cumulativeRates ?? last.rates)[metric]
    // A metric that passed although the span's rate is over budget passed because its growth faded (or stayed in
    // the noise): the figure is then the rate of the newest calls, the last pass's own window, which the verdict
    // rests on. A filled-up cache reads ~0 there, while its span rate still carries the filling.
    const budget = options.budget[metric]
    // A leak whose verdict rests on an earlier pass (the last one too short to count: "no time to re-measure") is
    // shown at that pass's rate: the span's can read under budget, and "0.00 B/call > budget" would be false.
    const judgedRate = Math.max(...passes.map((pass) => (pass.cumulativeRates ?? pass.rates)[metric]))
    const leakRate = spanRate > budget ? spanRate : judgedRate
    const perCall = exceeded ? leakRate : spanRate <= budget ? spanRate : last.rates[metric]
    metrics[metric] = {
      perCall: measured ? perCall : 0,
      budget,
      exceeded,
      unit: unitOf(metric),
      measured,
      detectable: measured ? outcome.sensitivity[metric] : 0,
    }
  }
  const leaked = Object.values(metrics).some((m) => m.exceeded)
  return {
    leaked,
    calls: passes.reduce((sum, pass) => sum + (pass.samples.at(-1)?.calls ?? 0), 0),
    warmupCalls,
    durationMs: context.durationMs,
    mode: context.mode,
    turnedEventLoop: instruments.turnEventLoop,
    metrics,
    passes,
    details: buildDetails(outcome, instruments, metrics.descriptors.exceeded),
    verdict: explainVerdict(metrics, outcome, context.limits),
    limits: context.limits,
    nodeVersion: process.version,
  }
}

function buildDetails(outcome: EngineOutcome, instruments: Instruments, descriptorsLeaked: boolean): LeakDetails {
  // Descriptors are labelled only for a leak, once: a few µs each.
  const calls = Math.max(1, callsMade(outcome))
  const descriptors = descriptorsLeaked
    ? instruments
        .descriptorGroups()
        .slice(0, MAX_DETAILS)
        .map(({ kind, target, example, count }) => ({ kind, target, example, perCall: count / calls, open: count }))
    : []
  return {
    handles: outcome.growth.handles.slice(0, MAX_DETAILS).map(({ key, perCall, count }) => ({
      type: key,
      perCall,
      live: count,
      stacks: instruments.handles?.stacksOf(key) ?? [],
    })),
    descriptors,
    listeners: outcome.growth.listeners.slice(0, MAX_DETAILS).map(({ key, perCall, count }) => ({
      ...splitListenerKey(key),
      perCall,
      added: count,
      stacks: instruments.listeners.stacksOf(key),
    })),
  }
}

const mib = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MiB`

/** Every call of the measurement: warm-up and passes. */
function callsMade(outcome: EngineOutcome): number {
  return outcome.passes.reduce((sum, pass) => sum + (pass.samples.at(-1)?.calls ?? 0), 0) + outcome.warmupCalls
}

function explainVerdict(metrics: Record<MetricName, MetricResult>, outcome: EngineOutcome, limits: LeakLimits): string {
  const { passes } = outcome
  const last = passes.at(-1) as LeakPass
  const calls = callsMade(outcome)
  const failing = METRIC_NAMES.filter((name) => metrics[name].exceeded)
  if (limits.stop === 'descriptors') {
    const open = limits.descriptorsAtStop ?? 0
    return `stopped early after ${calls.toLocaleString('en-US')} calls: ${open.toLocaleString('en-US')} descriptor${open === 1 ? '' : 's'} left open (the bound is ${(limits.maxDescriptors ?? 0).toLocaleString('en-US')})`
  }
  if (outcome.stop === 'cap' || outcome.stop === 'heap-limit') {
    const why =
      outcome.stop === 'cap'
        ? `memory retained since the start passed the ${mib(limits.maxRetainedBytes)} cap`
        : 'the heap neared its limit'
    return `stopped early after ${calls.toLocaleString('en-US')} calls: ${why} (${mib(limits.retainedAtStop ?? 0)} retained)`
  }
  if (failing.length > 0) {
    if (outcome.onePass) return `${failing.join(' and ')} grew past the budget (one pass: no time to re-measure)`
    return passes.length > 1
      ? `${failing.join(' and ')} kept growing at the same rate when re-measured with ${last.callsPerBatch.toLocaleString('en-US')} calls per batch`
      : `${failing.join(' and ')} grew past the budget`
  }
  const tooShort = outcome.stop === 'time' ? ' before the deadline' : ''
  const seen = sensitivityNote(metrics, limits)
  if (passes.length > CONFIRM_PASSES) {
    return `growth seen at first levelled off when the horizon was extended to ${calls.toLocaleString('en-US')} calls in ${passes.length} passes${tooShort} (a structure that filled up, one-time growth or noise)${seen}`
  }
  const overBudget = METRIC_NAMES.some((name) => metrics[name].measured && metrics[name].perCall > metrics[name].budget)
  if (passes.length > 1 && overBudget)
    return `growth seen at first faded when re-measured with more calls${tooShort} (one-time or noise)${seen}`
  return `no metric grew past its budget${tooShort}${seen}`
}

/**
 * For a clean verdict over too few calls to see a leak at the heap budget (a slow fn, a short deadline): the smallest
 * leak it could see, and about what deadline would see the budget (the smallest visible leak shrinks like 1/calls).
 */
function sensitivityNote(metrics: Record<MetricName, MetricResult>, limits: LeakLimits): string {
  const heap = metrics.heap
  if (!heap.measured || !(heap.detectable > heap.budget)) return ''
  const neededMs = limits.deadlineMs * (heap.detectable / Math.max(heap.budget, 1e-9))
  const needed =
    neededMs >= 10_000
      ? `${Math.ceil(neededMs / 1000).toLocaleString('en-US')} s`
      : `${Math.ceil(neededMs / 100) * 100} ms`
  return (
    `; in its calls it could see a heap leak of ${formatPerCall(heap.detectable, 'heap')} or more, not one at the ` +
    `${formatPerCall(heap.budget, 'heap')} budget: a deadline of about ${needed} would (deadlineMs, or a longer test timeout)`
  )
}
