/**
 * The console's one stylesheet, served at /assets/console.css (pages/assets.ts), with its print
 * rules. Colours meet WCAG 2.2 AA contrast (4.5:1 for text), focus is always visible, and every
 * status colour repeats what a word already says.
 */
export const STYLESHEET = `
:root { --ink: #1b1f24; --muted: #4a5360; --line: #c5ccd6; --bg: #ffffff; --panel: #f3f5f8; --link: #0b4f9c; --focus: #b35c00; }
* { box-sizing: border-box; }
html { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; font-size: 100%; line-height: 1.5; color: var(--ink); background: var(--bg); }
body { margin: 0; }
a { color: var(--link); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible, summary:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: var(--bg); padding: .5rem 1rem; }
.skip:focus { left: 1rem; z-index: 10; }
header.top { display: flex; flex-wrap: wrap; align-items: center; gap: 1rem 2rem; padding: .75rem 1.5rem; background: #14325c; color: #fff; }
header.top a { color: #fff; }
header.top .product { margin: 0; font-weight: 700; }
header.top nav ul { display: flex; gap: 1.25rem; list-style: none; margin: 0; padding: 0; }
header.top nav a[aria-current="page"] { font-weight: 700; text-decoration-thickness: 3px; }
header.top .who { margin-left: auto; display: flex; gap: .75rem; align-items: center; }
header.top .who button { background: #fff; color: #14325c; }
main { max-width: 78rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
h1 { font-size: 1.75rem; margin: .5rem 0 .75rem; }
h2 { font-size: 1.3rem; margin: 2rem 0 .5rem; }
h3 { font-size: 1.1rem; }
.sentence { font-size: 1.1rem; font-weight: 600; background: var(--panel); border-left: 4px solid #14325c; padding: .5rem .75rem; }
.notice { background: #e6f4ea; border: 1px solid #2e7d32; padding: .5rem .75rem; }
.alarm { background: #fdecea; border: 3px solid #b3261e; padding: .25rem 1rem; margin: .5rem 0 1rem; }
.problems { background: #fdecea; border: 1px solid #b3261e; padding: .25rem .75rem; margin-bottom: 1rem; }
.inline-pick { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin-top: .3rem; }
.inline-pick label { font-weight: 400; }
section.preview { border: 1px solid var(--line); padding: .25rem 1rem; margin-bottom: 1rem; background: var(--panel); }
.field-error { color: #8c1d18; font-weight: 600; }
.field.invalid input, .field.invalid select, .field.invalid textarea { border: 2px solid #b3261e; }
ul.actions-list { display: flex; flex-wrap: wrap; gap: .5rem 1.25rem; list-style: none; padding: 0; }
.hint { color: var(--muted); font-size: .9rem; display: block; }
ul.facts { margin: 0; padding-left: 1.1rem; }
code.hash { word-break: break-all; font-size: .85rem; }
.id, .citation { display: block; color: var(--muted); font-size: .85rem; font-weight: 400; }
form.axes, form.filters, form.inline-fields { display: flex; flex-wrap: wrap; gap: .75rem 1.25rem; align-items: flex-end; background: var(--panel); padding: .75rem; margin: .5rem 0 1rem; }
form.axes .problems, form.inline-fields .problems { flex-basis: 100%; }
form.axes .field { max-width: 26rem; }
.stack .field, .field { display: flex; flex-direction: column; gap: .2rem; margin-bottom: .5rem; }
.narrow { max-width: 30rem; }
button.secondary { background: #fff; color: #14325c; margin-right: .75rem; }
.field.checkbox { flex-direction: row; align-items: center; gap: .5rem; }
section.confirm { border: 2px solid #b3261e; padding: .25rem 1rem; margin-bottom: 1rem; }
label { font-weight: 600; }
input, select, textarea { font: inherit; padding: .4rem .5rem; border: 1px solid #6b7480; border-radius: 3px; background: #fff; color: var(--ink); }
textarea { width: 100%; font-family: ui-monospace, monospace; }
input.link { width: 100%; font-family: ui-monospace, monospace; }
button { font: inherit; font-weight: 600; padding: .45rem 1rem; border: 1px solid #14325c; border-radius: 3px; background: #14325c; color: #fff; cursor: pointer; }
fieldset { border: 1px solid var(--line); margin: 0 0 1rem; padding: .5rem 1rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { text-align: left; vertical-align: top; border-bottom: 1px solid var(--line); padding: .45rem .5rem; }
thead th { background: var(--panel); }
ul.plain { margin: 0; padding-left: 1rem; }
ul.counts { display: flex; flex-wrap: wrap; gap: .5rem 1rem; list-style: none; padding: 0; }
ul.counts a { text-decoration: none; color: var(--ink); display: inline-flex; gap: .4rem; align-items: center; border: 1px solid var(--line); padding: .3rem .6rem; border-radius: 4px; }
ul.counts .count { font-weight: 700; font-size: 1.1rem; }
.badge { display: inline-block; padding: .1rem .5rem; border-radius: 3px; border: 1px solid; font-weight: 600; font-size: .9rem; white-space: nowrap; }
.status-compliant, .outcome-met { background: #e6f4ea; color: #1e5b23; border-color: #2e7d32; }
.status-conditional, .outcome-pending { background: #fff4e0; color: #6b3d00; border-color: #a15c00; }
.status-non-compliant, .outcome-violated { background: #fdecea; color: #8c1d18; border-color: #b3261e; }
.status-exempt, .outcome-exempt { background: #e8eefc; color: #1f3f8f; border-color: #3457b8; }
.outcome-advisory { background: #fff4e0; color: #6b3d00; border-color: #a15c00; }
.status-not-assigned, .outcome-not-applicable { background: #eef0f3; color: #3d4550; border-color: #6b7480; }
.pager { display: flex; gap: 1.5rem; align-items: center; }
tr.retracted td { color: var(--muted); }
tr.retracted del { text-decoration-thickness: 2px; }
.retraction { margin: .25rem 0 0; font-size: .9rem; }
tr.overdue td:first-child { font-weight: 700; }
.result { font-weight: 600; padding: .5rem .75rem; border: 1px solid; }
.result.ok { background: #e6f4ea; border-color: #2e7d32; }
.result.broken { background: #fdecea; border-color: #b3261e; }
pre.checkpoint { background: var(--panel); padding: .75rem; overflow-x: auto; }
code { word-break: break-all; }
.actions form { display: flex; flex-wrap: wrap; gap: .25rem .5rem; align-items: center; margin-bottom: .4rem; }
.actions label { font-weight: 400; font-size: .9rem; }
.crumbs { margin: 0; color: var(--muted); }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.status-bar svg { max-width: 100%; height: auto; font-size: 13px; }
.status-bar .segment rect { stroke: #fff; stroke-width: 1; }
.status-bar .segment.status-compliant rect { fill: #a8dcb0; }
.status-bar .segment.status-conditional rect { fill: #ffd591; }
.status-bar .segment.status-non-compliant rect { fill: #f4a8a3; }
.status-bar .segment.status-exempt rect { fill: #b7c8f5; }
.status-bar .segment.status-not-assigned rect { fill: #d5d9df; }
.status-bar text { fill: #1b1f24; }
.status-bar line.as-of { stroke: #1b1f24; stroke-width: 2; stroke-dasharray: 4 3; }
@media print {
  header.top nav, header.top .who, .skip, form, .no-print { display: none !important; }
  header.top { background: none; color: #000; padding: 0; }
  main { max-width: none; padding: 0; }
  a { color: #000; text-decoration: none; }
  .sentence { border: 1px solid #000; }
  tr { break-inside: avoid; }
}
`;
