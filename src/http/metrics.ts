/**
 * A minimal Prometheus registry: counters, histograms and gauges with labels, rendered in the
 * text exposition format (version 0.0.4). Only what Rollcall's own metrics need.
 */
export type Labels = Record<string, string>;

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

function labelText(labels: Labels): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return pairs.length ? `{${pairs.join(',')}}` : '';
}

/** Prometheus writes special floats by name. */
const numText = (n: number) => (n === Infinity ? '+Inf' : n === -Infinity ? '-Inf' : String(n));

interface Metric {
  render(): string[];
}

type MetricType = 'counter' | 'histogram' | 'gauge';

const header = (name: string, help: string, type: MetricType) => [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];

abstract class Family<S> implements Metric {
  /** One series per distinct label set, keyed by its rendered labels. */
  protected readonly series = new Map<string, { labels: Labels; state: S }>();

  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly type: MetricType,
  ) {}

  protected state(labels: Labels, init: () => S): S {
    const key = labelText(labels);
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { labels, state: init() }));
    return s.state;
  }

  protected abstract lines(labels: Labels, state: S): string[];

  render(): string[] {
    const out = header(this.name, this.help, this.type);
    for (const { labels, state } of this.series.values()) out.push(...this.lines(labels, state));
    return out;
  }
}

export class Counter extends Family<{ value: number }> {
  constructor(name: string, help: string) {
    super(name, help, 'counter');
  }

  inc(labels: Labels = {}, by = 1): void {
    this.state(labels, () => ({ value: 0 })).value += by;
  }

  protected lines(labels: Labels, s: { value: number }): string[] {
    return [`${this.name}${labelText(labels)} ${numText(s.value)}`];
  }
}

interface HistogramState {
  /** counts[i]: observations <= buckets[i] (not yet cumulative). */
  counts: number[];
  sum: number;
  count: number;
}

export class Histogram extends Family<HistogramState> {
  private readonly buckets: number[];

  constructor(name: string, help: string, buckets: number[]) {
    super(name, help, 'histogram');
    this.buckets = [...buckets].sort((a, b) => a - b);
  }

  observe(labels: Labels, value: number): void {
    const s = this.state(labels, () => ({ counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    const i = this.buckets.findIndex((b) => value <= b);
    if (i >= 0) s.counts[i]++;
    s.sum += value;
    s.count++;
  }

  protected lines(labels: Labels, s: HistogramState): string[] {
    let cumulative = 0;
    const out = this.buckets.map((b, i) => {
      cumulative += s.counts[i];
      return `${this.name}_bucket${labelText({ ...labels, le: numText(b) })} ${cumulative}`;
    });
    out.push(`${this.name}_bucket${labelText({ ...labels, le: '+Inf' })} ${s.count}`);
    out.push(`${this.name}_sum${labelText(labels)} ${numText(s.sum)}`, `${this.name}_count${labelText(labels)} ${s.count}`);
    return out;
  }
}

/** A gauge read when scraped (queue depth, memory): nothing to keep up to date in between. */
export class Gauge implements Metric {
  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly collect: () => { labels?: Labels; value: number }[],
  ) {}

  render(): string[] {
    const values = this.collect().map((s) => `${this.name}${labelText(s.labels ?? {})} ${numText(s.value)}`);
    return [...header(this.name, this.help, 'gauge'), ...values];
  }
}

export class Registry {
  private readonly metrics: Metric[] = [];

  register<M extends Metric>(m: M): M {
    this.metrics.push(m);
    return m;
  }

  render(): string {
    return `${this.metrics.flatMap((m) => m.render()).join('\n')}\n`;
  }
}
