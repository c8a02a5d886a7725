// The report page's only style and script, inline: the file opens offline from a CI artifact, and its
// Content-Security-Policy forbids loading anything else.

export const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"

export const STYLE = `
:root{--leak:#c62828;--known:#b26a00;--clean:#2e7d32;--muted:#666;--line:#ddd;--bg:#fff;--fg:#1b1b1b;--stripe:#f6f7f9}
@media (prefers-color-scheme:dark){:root{--muted:#9a9a9a;--line:#3a3a3a;--bg:#161719;--fg:#e6e6e6;--stripe:#1e2023;--leak:#ef5350;--known:#ffb74d;--clean:#66bb6a}}
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;padding:1rem 1.5rem 3rem;max-width:1200px;background:var(--bg);color:var(--fg)}
h1{font-size:1.4rem;margin:.2rem 0}h2{font-size:1.15rem;margin:2rem 0 .5rem}h3{font-size:1rem;margin:0 0 .3rem;overflow-wrap:anywhere}
.meta,.where,small,figcaption{color:var(--muted)}
table{border-collapse:collapse;width:100%}.scroll{overflow-x:auto}
th,td{padding:.3rem .5rem;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
tbody tr:nth-child(even){background:var(--stripe)}
th button{font:inherit;font-weight:600;background:none;border:0;color:inherit;cursor:pointer;padding:0}
th[aria-sort=ascending] button::after{content:" ▲"}th[aria-sort=descending] button::after{content:" ▼"}
td:nth-child(n+4):not(:last-child),th:nth-child(n+4):not(:last-child){text-align:right;white-space:nowrap}
td.test{overflow-wrap:anywhere;min-width:12rem}td.file{white-space:nowrap}th{white-space:nowrap}
td small{display:block}td.over{color:var(--leak);font-weight:600}
.verdict{font-weight:700;text-transform:uppercase;font-size:.8rem}
.leak>.verdict,.verdict.leak{color:var(--leak)}.known>.verdict,.verdict.known{color:var(--known)}.clean>.verdict,.verdict.clean{color:var(--clean)}
details summary{cursor:pointer;color:var(--muted)}
svg{display:block}svg text{font:11px system-ui,sans-serif;fill:var(--muted)}
.chart{width:100%;max-width:640px;height:auto}
.grid line{stroke:var(--line)}.pass{stroke:var(--muted);stroke-dasharray:3 3}text.pass{stroke:none}
.data{fill:none;stroke:#1e88e5;stroke-width:1.5}.pts circle{fill:#1e88e5}
line.rate{stroke:var(--leak);stroke-width:2}line.budget{stroke:var(--clean);stroke-width:2;stroke-dasharray:6 4}
.spark{width:120px;height:24px}.spark polyline{fill:none;stroke:#1e88e5;stroke-width:1.2}
.key{display:inline-block;width:1.4em;height:0;border-top:2px solid;vertical-align:middle;margin:0 .3em 0 .8em}
.key.rate{color:var(--leak)}.key.budget{color:var(--clean);border-top-style:dashed}.key.data{color:#1e88e5}
section.entry{border-top:2px solid var(--line);padding-top:1rem;margin-top:1.5rem}
section.entry.leak{border-top-color:var(--leak)}section.entry.known{border-top-color:var(--known)}
figure{margin:.5rem 0 1rem}
pre{background:var(--stripe);padding:.75rem;overflow-x:auto;font-size:12px;line-height:1.4}
`

/** Click a column header to sort by it (numbers by their data-sort value), again to reverse. */
export const SORT_SCRIPT = `
for (const button of document.querySelectorAll('th button')) button.addEventListener('click', () => {
  const th = button.parentElement, table = th.closest('table'), column = th.cellIndex
  const direction = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1
  for (const other of table.tHead.rows[0].cells) other.removeAttribute('aria-sort')
  th.setAttribute('aria-sort', direction === 1 ? 'ascending' : 'descending')
  const key = (row) => row.cells[column].dataset.sort ?? row.cells[column].textContent.trim()
  const rows = [...table.tBodies[0].rows].sort((a, b) => {
    const x = key(a), y = key(b), difference = Number(x) - Number(y)
    return direction * (Number.isNaN(difference) ? x.localeCompare(y) : difference)
  })
  table.tBodies[0].append(...rows)
})
`
