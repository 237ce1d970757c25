import type { Throughput } from '@errand/core';
import { count } from './format.ts';
import { html, type SafeHtml } from './html.ts';

const WIDTH = 1200;
const HEIGHT = 180;
const AXIS = 18;
const OUTCOMES = ['succeeded', 'failed', 'cancelled'] as const;

interface Bucket {
  at: number;
  succeeded: number;
  failed: number;
  cancelled: number;
}

/** The throughput of the last hour as stacked bars (one per minute), drawn as inline SVG. */
export function throughputChart(throughput: Throughput, queue?: string): SafeHtml {
  const since = throughput.since.getTime();
  const { bucketMs } = throughput;
  const buckets: Bucket[] = [];
  for (let at = since; at < throughput.until.getTime(); at += bucketMs) {
    buckets.push({ at, succeeded: 0, failed: 0, cancelled: 0 });
  }
  for (const point of throughput.points) {
    if (queue !== undefined && point.queue !== queue) continue;
    const bucket = buckets[Math.floor((point.at.getTime() - since) / bucketMs)];
    if (bucket) bucket[point.state] += point.count;
  }
  const totals = buckets.map((b) => b.succeeded + b.failed + b.cancelled);
  const peak = Math.max(1, ...totals);
  const sum = totals.reduce((a, b) => a + b, 0);
  const failed = buckets.reduce((a, b) => a + b.failed, 0);
  const slot = WIDTH / buckets.length;
  const scale = (HEIGHT - AXIS) / peak;
  const bars = buckets.map((bucket, i) => {
    let y = HEIGHT - AXIS;
    const rects = OUTCOMES.map((outcome) => {
      const h = bucket[outcome] * scale;
      y -= h;
      return h > 0
        ? html`<rect
            class="bar-${outcome}"
            x="${(i * slot + 1).toFixed(1)}"
            y="${y.toFixed(1)}"
            width="${Math.max(1, slot - 2).toFixed(1)}"
            height="${h.toFixed(1)}"
          />`
        : '';
    });
    const label = `${new Date(bucket.at).toISOString().slice(11, 16)} UTC: ${bucket.succeeded} succeeded, ${bucket.failed} failed, ${bucket.cancelled} cancelled`;
    return html`<g
      ><title>${label}</title
      ><rect
        class="bar-hit"
        x="${(i * slot).toFixed(1)}"
        y="0"
        width="${slot.toFixed(1)}"
        height="${HEIGHT - AXIS}"
      />${rects}</g
    >`;
  });
  const minutes = Math.round((buckets.length * bucketMs) / 60_000);
  return html`<figure class="chart">
    <figcaption>
      <span><strong>${count(sum)}</strong> finished in the last ${minutes} min</span>
      <span
        ><strong>${count(Math.round(sum / Math.max(1, minutes)))}</strong>/min on average, peak
        <strong>${count(Math.max(0, ...totals))}</strong>/min</span
      >
      <span class="${failed > 0 ? 'warn' : ''}"><strong>${count(failed)}</strong> failed</span>
      <span class="legend"
        ><i class="key-succeeded"></i>succeeded <i class="key-failed"></i>failed
        <i class="key-cancelled"></i>cancelled</span
      >
    </figcaption>
    <svg
      viewBox="0 0 ${WIDTH} ${HEIGHT}"
      role="img"
      aria-label="Jobs finished per minute over the last ${minutes} minutes"
    >
      <line class="axis" x1="0" y1="${HEIGHT - AXIS}" x2="${WIDTH}" y2="${HEIGHT - AXIS}" />
      ${bars}
      <text class="tick" x="0" y="${HEIGHT - 4}">−${minutes} min</text>
      <text class="tick" x="${WIDTH / 2}" y="${HEIGHT - 4}" text-anchor="middle">
        −${Math.round(minutes / 2)} min
      </text>
      <text class="tick" x="${WIDTH}" y="${HEIGHT - 4}" text-anchor="end">now</text>
      <text class="tick" x="4" y="12">${count(peak)}/min</text>
    </svg>
  </figure>`;
}
