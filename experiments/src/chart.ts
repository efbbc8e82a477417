import { Resvg } from '@resvg/resvg-js'
import type { Window } from './types.js'

export interface ChartSeries { name: string, points: Array<[number, number]> }
export interface ChartPanel { title: string, unit: string, series: ChartSeries[] }
export interface ChartData { title: string, startMs: number, endMs: number, windows: Window[], panels: ChartPanel[] }

const WIDTH = 1000
const PANEL_HEIGHT = 250
const MARGIN = { left: 70, right: 20, top: 50, bottom: 40 }
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b']
const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/** 1, 2 or 5 times a power of ten: the tick step for about `count` ticks up to `max`. */
export function niceStep (max: number, count = 5): number {
  if (!(max > 0) || !Number.isFinite(max)) return 1
  const raw = max / count
  const power = 10 ** Math.floor(Math.log10(raw))
  const m = raw / power
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * power
}

const label = (n: number) => Math.abs(n) >= 1000 ? `${Number((n / 1000).toPrecision(3))}k` : String(Number(n.toPrecision(3)))

function panelSvg (panel: ChartPanel, data: ChartData, top: number): string {
  const x0 = MARGIN.left
  const w = WIDTH - MARGIN.left - MARGIN.right
  const h = PANEL_HEIGHT - 80
  const y0 = top + 44
  const span = Math.max(1, data.endMs - data.startMs)
  const x = (t: number) => x0 + ((t - data.startMs) / span) * w
  const finite = panel.series.flatMap((s) => s.points.map(([, v]) => v)).filter(Number.isFinite)
  const step = niceStep(Math.max(0, ...finite))
  const yMax = Math.max(step, Math.ceil(Math.max(0, ...finite) / step) * step)
  const y = (v: number) => y0 + h - (v / yMax) * h
  const parts: string[] = []
  parts.push(`<text x="${x0}" y="${top + 18}" font-size="15" font-weight="bold">${escape(panel.title)} (${escape(panel.unit)})</text>`)
  for (const win of data.windows) {
    const a = Math.max(x0, x(win.startMs))
    const b = Math.min(x0 + w, x(win.endMs))
    if (b <= a) continue
    parts.push(`<rect x="${a.toFixed(1)}" y="${y0}" width="${(b - a).toFixed(1)}" height="${h}" fill="#f4a261" fill-opacity="0.25"/>`)
    parts.push(`<text x="${(a + 4).toFixed(1)}" y="${y0 + 14}" font-size="12" fill="#9c4a00">${escape(win.label)}</text>`)
  }
  for (let v = 0; v <= yMax + step / 2; v += step) {
    parts.push(`<line x1="${x0}" x2="${x0 + w}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#ddd"/>`)
    parts.push(`<text x="${x0 - 8}" y="${(y(v) + 4).toFixed(1)}" font-size="12" text-anchor="end">${label(v)}</text>`)
  }
  const seconds = span / 1000
  const xStep = niceStep(seconds, 10)
  for (let s = 0; s <= seconds; s += xStep) {
    const px = x(data.startMs + s * 1000)
    parts.push(`<line x1="${px.toFixed(1)}" x2="${px.toFixed(1)}" y1="${y0 + h}" y2="${y0 + h + 4}" stroke="#555"/>`)
    parts.push(`<text x="${px.toFixed(1)}" y="${y0 + h + 18}" font-size="12" text-anchor="middle">${label(s)} s</text>`)
  }
  parts.push(`<rect x="${x0}" y="${y0}" width="${w}" height="${h}" fill="none" stroke="#555"/>`)
  let legendX = x0
  panel.series.forEach((series, i) => {
    const color = COLORS[i % COLORS.length] ?? '#000'
    // A gap in the data (NaN: nothing scraped, a division by zero) breaks the line instead of faking a value.
    let d = ''
    let pen = 'M'
    for (const [t, v] of series.points) {
      if (!Number.isFinite(v)) { pen = 'M'; continue }
      d += `${pen}${x(t).toFixed(1)},${y(v).toFixed(1)} `
      pen = 'L'
    }
    if (d !== '') parts.push(`<path d="${d.trim()}" fill="none" stroke="${color}" stroke-width="2"/>`)
    // The legend runs along the line under the panel's title, left to right, outside the plot.
    const lx = legendX
    legendX += 30 + series.name.length * 7
    parts.push(`<rect x="${lx}" y="${y0 - 16}" width="12" height="10" fill="${color}"/><text x="${lx + 18}" y="${y0 - 7}" font-size="12">${escape(series.name)}</text>`)
  })
  return parts.join('\n')
}

/** The chart as SVG: one panel per unit, time along x in seconds from the start, windows shaded. */
export function chartSvg (data: ChartData): string {
  const height = MARGIN.top + data.panels.length * PANEL_HEIGHT
  const panels = data.panels.map((p, i) => panelSvg(p, data, MARGIN.top + i * PANEL_HEIGHT)).join('\n')
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="DejaVu Sans, sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="${MARGIN.left}" y="28" font-size="18" font-weight="bold">${escape(data.title)}</text>
${panels}
</svg>`
}

/** Rasterised by resvg (a prebuilt binary from the npm package), with the machine's fonts. */
export function chartPng (data: ChartData): Buffer {
  const resvg = new Resvg(chartSvg(data), { background: 'white', font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } })
  return resvg.render().asPng()
}
