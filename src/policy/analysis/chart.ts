// A self-contained SVG of cards per day per rule (one line per rule, most cards first): what a
// security lead looks at before reading the table. No scripts, no external fonts or styles.
import type { Analysis } from './analyze.ts';

const palette = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
];

/** The chart of `data` as an SVG document. */
export function cardsChart(data: Analysis['cardsPerDay'], title: string): string {
  const width = 760;
  const height = 320;
  const left = 48;
  const right = 200;
  const top = 36;
  const bottom = 40;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const rules = data.rules.slice(0, palette.length);
  const max = Math.max(1, ...rules.flatMap((r) => r.counts));
  const n = Math.max(1, data.days.length - 1);
  const x = (i: number) => left + (plotW * i) / n;
  const y = (v: number) => top + plotH - (plotH * v) / max;
  const esc = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${left}" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`,
  ];
  for (let k = 0; k <= 4; k++) {
    const v = Math.round((max * k) / 4);
    parts.push(
      `<line x1="${left}" x2="${left + plotW}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#ddd"/>`,
      `<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${v}</text>`,
    );
  }
  const step = Math.max(1, Math.ceil(data.days.length / 8));
  data.days.forEach((d, i) => {
    if (i % step === 0)
      parts.push(
        `<text x="${x(i).toFixed(1)}" y="${height - bottom + 16}" text-anchor="middle">${d.slice(5)}</text>`,
      );
  });
  rules.forEach((r, k) => {
    const color = palette[k] as string;
    const points = r.counts.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    const total = r.counts.reduce((a, b) => a + b, 0);
    parts.push(
      `<polyline fill="none" stroke="${color}" stroke-width="2" points="${points}"/>`,
      `<rect x="${left + plotW + 14}" y="${top + k * 18}" width="10" height="10" fill="${color}"/>`,
      `<text x="${left + plotW + 30}" y="${top + k * 18 + 9}">${esc(r.rule)} (${total})</text>`,
    );
  });
  parts.push(
    `<text x="${left + plotW / 2}" y="${height - 6}" text-anchor="middle">cards per day (UTC)</text>`,
    '</svg>',
  );
  return `${parts.join('\n')}\n`;
}
