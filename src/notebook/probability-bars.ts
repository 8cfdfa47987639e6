/** A classifier's probabilities as a row of small HTML bars, one per class, for tables in notebooks. */
import { escapeHtml } from './display';

export function probabilityBarsHtml(probabilities: ArrayLike<number>, options: { labels?: string[]; truth?: number } = {}): string {
  const bars = Array.from(probabilities, (p, k) => {
    const label = options.labels?.[k] ?? String(k);
    const colour = k === options.truth ? '#2ca02c' : '#1f77b4';
    const height = Math.max(1, Math.round(p * 40));
    return `<div style="display:inline-block;width:14px;margin-right:1px;text-align:center;font-size:9px" title="${escapeHtml(label)}: ${p.toFixed(3)}">` +
      `<div style="height:${40 - height}px"></div><div style="height:${height}px;background:${colour}"></div>${escapeHtml(label)}</div>`;
  });
  return `<div style="white-space:nowrap;line-height:1">${bars.join('')}</div>`;
}
