/** Renders one result file as Markdown: machine, targets, per-scenario tables, ratios, profiles. */
import { spread } from '../lib/stats.ts'
import type { CoreCalibration } from '../run/calibration.ts'
import type { BenchResults, MachineInfo, ScenarioResult, SkippedResult } from '../run/results.ts'
import { JABIRU } from '../servers/catalog.ts'
import { fmtRatio, fmtSpread } from './format.ts'
import { rowFor, runComparison, runRatios } from './ratios.ts'
import { stealSentence } from './steal.ts'
import type { TailHistoryRow, TailTally } from './tail-history.ts'
import { checkTargets } from './targets.ts'

/** A Markdown table with padded columns (the layout Biome's formatter keeps). */
const table = (header: readonly string[], rows: readonly (readonly string[])[]): string => {
  const widths = header.map((h, i) => Math.max(3, h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: readonly string[]): string =>
    `| ${widths.map((w, i) => (cells[i] ?? '').padEnd(w)).join(' | ')} |`
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')
}

const scenarioSection = (s: ScenarioResult): string => {
  const out: string[] = [`### ${s.id} — ${s.title}`, '', s.description, '']
  for (const variant of s.variants) {
    if (s.variants.length > 1) out.push(`**${variant.label}**`, '')
    const header = ['server', ...s.metrics.map((m) => `${m.label} (${m.unit})`)]
    const rows = s.rows.map((row) => {
      const cells = s.metrics.map((m) => fmtSpread(row.summary[variant.key]?.[m.key], m.unit))
      const failed = row.runs.filter((r) => r.error).length
      const name = failed ? `${row.server} (${failed}/${row.runs.length} runs failed)` : row.server
      return [name, ...cells]
    })
    out.push(table(header, rows), '')
  }
  const ours = s.rows.find((r) => r.server === JABIRU.name)
  if (ours?.runs.some((r) => r.values)) {
    const ratioRows: string[][] = []
    for (const peer of s.rows) {
      if (peer === ours) continue
      for (const variant of s.variants) {
        for (const key of s.headline) {
          const metric = s.metrics.find((m) => m.key === key)
          if (!metric) continue
          const r = runRatios(ours, peer, variant.key, key)
          ratioRows.push([
            peer.server,
            s.variants.length > 1 ? `${metric.label}, ${variant.label}` : metric.label,
            fmtRatio(r),
            metric.better === 'higher' ? 'higher is better' : 'lower is better',
          ])
        }
      }
    }
    if (ratioRows.length) {
      out.push(
        'Jabiru ÷ peer, per run, median (min–max):',
        '',
        table(['peer', 'metric', 'ratio', ''], ratioRows),
        '',
      )
    }
  }
  const comparisonRows: string[][] = []
  for (const c of s.comparisons ?? []) {
    const row = rowFor(s, c.row)
    const baseline = rowFor(s, c.baseline)
    const metric = s.metrics.find((m) => m.key === c.metric)
    const baseMetric = s.metrics.find((m) => m.key === (c.baselineMetric ?? c.metric))
    if (!row || !baseline || !metric || !baseMetric) continue
    const { ratio, diff } = runComparison(row, baseline, c.variant, c.metric, c.baselineMetric)
    comparisonRows.push([
      `${c.row}: ${metric.label}`,
      `${c.baseline}: ${baseMetric.label}`,
      fmtRatio(ratio),
      `${diff.runs.length && diff.median > 0 ? '+' : ''}${fmtSpread(diff, metric.unit)} ${metric.unit}`,
    ])
  }
  if (comparisonRows.length) {
    out.push(
      'Row ÷ baseline and row − baseline, per run, median (min–max):',
      '',
      table(['row', 'baseline', 'ratio', 'difference'], comparisonRows),
      '',
    )
  }
  const notes = s.rows.flatMap((row) =>
    row.runs.flatMap((r) => [
      ...(r.error ? [`${row.server}, run ${r.run}: failed — ${r.error.split('\n')[0]}`] : []),
      ...(r.notes ?? []).map((n) => `${row.server}, run ${r.run}: ${n}`),
    ]),
  )
  const steal = stealSentence(s)
  if (steal !== null) out.push(steal, '')
  if (notes.length) out.push('Notes:', '', ...notes.map((n) => `- ${n}`), '')
  return out.join('\n')
}

const skippedSection = (s: SkippedResult): string => `### ${s.id} — ${s.title}\n\nSkipped: ${s.skipped}\n`

/** The per-core CPU calibration, for telling a slow machine state from a slow server; empty in older files. */
const calibrationSentence = (m: MachineInfo): string => {
  if (m.calibration === undefined) return ''
  const cores = (list: readonly CoreCalibration[]): string =>
    list.map((c) => `core ${c.core} ${c.roundsPerSecond.toLocaleString('en-US')}`).join(', ')
  return (
    'CPU calibration (rounds/s of a fixed JSON + SHA-256 loop, higher is faster): ' +
    `at start ${cores(m.calibration.atStart)}; ` +
    `at end ${cores(m.calibration.atEnd)}. `
  )
}

export const renderResults = (r: BenchResults): string => {
  const m = r.machine
  const out: string[] = [
    `## Profile \`${r.profile}\` — ${r.generatedAt}`,
    '',
    `Machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}. ` +
      `Pinned with taskset: ${m.pinned ? 'yes (server core 0, load core 1)' : 'no'}; nice ${m.nice}. ` +
      (m.serverNodeFlags === undefined
        ? ''
        : `Every server ran with the Node flags of Jabiru's \`npm start\`: ${m.serverNodeFlags.join(' ') || 'none'}. `) +
      (m.extraNodeFlags === undefined
        ? ''
        : `Experiment flags added to every server (BENCH_EXTRA_NODE_FLAGS): ${m.extraNodeFlags.join(' ')}. `) +
      `Load average at start ${m.loadAverageAtStart.join(' / ')}, at end ${m.loadAverageAtEnd.join(' / ')} ` +
      '(the machine is shared with other work; see README). ' +
      calibrationSentence(m) +
      `Jabiru commit: ${m.jabiruCommit}. ${r.runs} runs per server, median (min–max). ` +
      `Wall time ${Math.round(r.elapsedSeconds)} s.`,
    '',
  ]
  if (!r.jabiru.available) out.push(`**Jabiru was not measured in this run:** ${r.jabiru.note ?? ''}`, '')
  const checks = checkTargets(r)
  out.push(
    '### Targets (Jabiru, journal on, ratios within the same run)',
    '',
    table(
      ['target', 'measured', 'verdict'],
      checks.map((c) => [c.target, c.measured, c.verdict === 'MISSED' ? '**MISSED**' : c.verdict]),
    ),
    '',
  )
  for (const s of r.scenarios)
    out.push(s.skipped ? skippedSection(s as SkippedResult) : scenarioSection(s as ScenarioResult))
  for (const p of r.profiles) {
    out.push(
      `### CPU profile — ${p.scenario}: ${p.what}`,
      '',
      `${p.totalSamples} samples; profile file \`${p.file}\`. Top frames by self time:`,
      '',
      table(
        ['self %', 'function', 'location'],
        p.topSelf.map((f) => [f.selfPercent.toFixed(1), `\`${f.functionName}\``, `\`${f.location}\``]),
      ),
      '',
      'Self time by package or directory:',
      '',
      table(
        ['self %', 'package / directory'],
        p.topByFile.map((f) => [f.selfPercent.toFixed(1), `\`${f.location}\``]),
      ),
      '',
    )
  }
  return out.join('\n')
}

const metCell = (t: TailTally): string => (t.files === 0 ? '–' : `${t.met} of ${t.files}`)

/** The tail targets over every committed full run (see tail-history.ts). */
export const renderTailHistory = (rows: readonly TailHistoryRow[]): string =>
  [
    '## Tail targets over every committed full run',
    '',
    "Each full run's verdict on a tail target (S3, S4: p99 ≤ the better peer's, the median of three per-run ratios) " +
      'counted over every `results/full-*.json`, whatever its Jabiru commit and machine state; the same rule applied ' +
      'to the raw relay, which does no Yjs work (the physical-limit line), and to the A/A twin, an identical Jabiru, ' +
      "where a run measured it. Ratios: the median of the full runs' medians (min–max).",
    '',
    table(
      [
        'tail target',
        'Jabiru met',
        'Jabiru/best peer',
        'raw relay met',
        'raw relay/best peer',
        'A/A twin met',
      ],
      rows.map((r) => [
        r.target,
        metCell(r.jabiru),
        fmtRatio(spread(r.jabiru.medians)),
        metCell(r.relay),
        fmtRatio(spread(r.relay.medians)),
        metCell(r.twin),
      ]),
    ),
    '',
  ].join('\n')
