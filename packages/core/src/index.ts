export type { SyncLeakOptions } from './assert.js'
export { assertNoLeak, LeakError, measureLeak } from './assert.js'
export type {
  BaselineChange,
  BaselineFigures,
  BaselineFile,
  BaselineUpdate,
  RanTests,
  UpdateMode,
} from './ci/baseline.js'
export {
  BASELINE_ENV,
  BASELINE_FILE,
  BASELINE_WRITER_ENV,
  baselineFileKey,
  DEFAULT_TOLERANCE,
  readBaseline,
  serializeBaseline,
  UPDATE_ENV,
  updateBaseline,
  updateMode,
} from './ci/baseline.js'
export type { ComparedEntry, Comparison } from './ci/compare.js'
export { compareSummaries, renderComparisonMarkdown } from './ci/compare.js'
export { githubAnnotations } from './ci/github.js'
export { LeakproofFileError, readSummaryEntries, readSummaryFile } from './ci/read.js'
export type { LeakRunEnd } from './ci/run-end.js'
export { finishLeakRun } from './ci/run-end.js'
export { settleBaseline } from './ci/settle.js'
export type {
  AllocationSite,
  DiagnoseDepth,
  DiagnoseOptions,
  GrowingType,
  LeakDiagnosis,
  RetainerPath,
  RetainerStep,
  SourcePosition,
} from './diagnose/types.js'
export type { RunnerContext } from './engine/measure.js'
export { DEFAULT_DEADLINE_MS } from './engine/measure.js'
export { DEFAULT_MAX_RETAINED_BYTES } from './engine/retained.js'
export type { MeasurementErrorCode } from './errors.js'
export { LeakMeasurementError } from './errors.js'
export type { FormatColors } from './format.js'
export {
  failingMetrics,
  formatCount,
  formatLeakReport,
  formatPerCall,
  sparkline,
  summarizeReport,
} from './format.js'
export { getFullGc } from './gc.js'
export { renderHtmlReport } from './html/render.js'
export type { MatcherContextLike, MatcherResult, ToLeakMatcher, ToLeakMatcherHooks } from './matcher.js'
export { createToLeakMatcher, toLeakMessage } from './matcher.js'
export type { LeakBudget, LeakOptions, ResolvedBudget, ResolvedOptions, WatchedEmitter } from './options.js'
export { DEFAULT_BUDGET, DEFAULT_OPTIONS, resolveOptions } from './options.js'
export { COMPILED_CODE_SPACES } from './probes/memory.js'
export type {
  BaselineMatch,
  DescriptorDetail,
  HandleDetail,
  LeakAssertion,
  LeakDetails,
  LeakLimits,
  LeakPass,
  LeakReport,
  LeakSample,
  ListenerDetail,
  MetricName,
  MetricResult,
  StopReason,
} from './report.js'
export { METRIC_NAMES } from './report.js'
export { median } from './stats/estimate.js'
export type { EntryVerdict, LeakSummaryEntry, LeakSummaryJson, LeakSummaryRow } from './summary.js'
export {
  compareEntries,
  countLine,
  entryVerdict,
  renderSummaryMarkdown,
  renderSummaryTable,
  summaryJson,
  summaryRows,
} from './summary.js'
export { isThenable } from './util.js'
