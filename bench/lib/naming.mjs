// Does a leak report name what a user needs to find the bug? Each leaking case exports `names`: the leaking
// function and/or the leaked object's type or holder. The check reads what the failure message shows first (the
// leading entries of each part, as packages/core/src/diagnose/format.ts and format.ts print them), not every entry
// buried in report.diagnosis.

/** Entries of each part that the failure message shows. */
const TYPES_SHOWN = 5
const SITES_SHOWN = 3
const PATHS_SHOWN = 3
const DETAILS_SHOWN = 5

/**
 * The texts a user reads, each with the part it comes from. A site counts by its own function name only, not by its
 * caller: every allocation of a measured call has the case's `fn` somewhere up its stack.
 */
export function shownTexts(report) {
  const texts = []
  const diagnosis = report.diagnosis
  if (diagnosis) {
    for (const type of diagnosis.types.slice(0, TYPES_SHOWN)) texts.push({ part: 'type', text: type.name })
    for (const site of diagnosis.sites.slice(0, SITES_SHOWN)) texts.push({ part: 'site', text: site.function })
    const paths = [...new Set(diagnosis.retainers.map((path) => path.summary))].slice(0, PATHS_SHOWN)
    for (const summary of paths) texts.push({ part: 'retainer', text: summary })
  }
  // Handle and listener leaks: the message names the handle type or the emitter and event, and where each was
  // created or added (the first frame of its stack).
  for (const handle of report.details?.handles.slice(0, DETAILS_SHOWN) ?? []) {
    texts.push({ part: 'handle', text: `${handle.type} ${handle.stacks[0] ?? ''}` })
  }
  for (const listener of report.details?.listeners.slice(0, DETAILS_SHOWN) ?? []) {
    texts.push({ part: 'listener', text: `${listener.target} '${listener.event}' ${listener.stacks[0] ?? ''}` })
  }
  return texts
}

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** A string matches as a whole identifier or dotted name: 'Subject' matches "Subject._trySubscribe", not "SafeSubject". */
function toPattern(name) {
  return typeof name === 'string' ? new RegExp(`(?<![\\w$])${escapeRegExp(name)}(?![\\w$])`) : name
}

/** Which names the report shows, and in which part: `{ named, matches: ['site fn', 'retainer requests', ...] }`. */
export function checkNames(report, names) {
  const matches = []
  const texts = shownTexts(report)
  for (const name of names) {
    const pattern = toPattern(name)
    const hit = texts.find(({ text }) => pattern.test(text))
    if (hit) matches.push(`${hit.part} ${typeof name === 'string' ? name : String(name)}`)
  }
  return { named: matches.length > 0, matches }
}
