/**
 * Progress of a rollout on stderr. On a terminal: one live line per wave (clusters done of the
 * wave, failures, writes in flight, the rate, the time), kept when the wave ends, with each
 * failure printed above it as it happens. Elsewhere (a CI log): one line per cluster outcome,
 * and a line when a wave starts and ends. With --only-show-errors: the failures only.
 */
import type { ChalkInstance } from 'chalk';
import type { Clock } from '../core/clock.js';
import type { Stream } from '../core/context.js';
import type { ClusterResult, RolloutEvent } from './rollout.js';

export type ProgressMode = 'terminal' | 'lines' | 'quiet';

interface WaveState {
  wave: number;
  waves: number;
  size: number;
  done: number;
  failed: number;
  notStarted: number;
  /** Written (or being written), without an outcome yet. */
  open: Set<unknown>;
  started: number;
  settling: boolean;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;

function outcomeLine(r: ClusterResult): string {
  const where = `${r.item.cluster.name} (${r.item.cluster.resourceGroup})`;
  const time = r.ms !== undefined && r.outcome !== 'not started' ? ` in ${seconds(r.ms)}` : '';
  return `${where}: ${r.outcome}${time}${r.reason ? `: ${r.reason.replace(/\s*\n\s*/g, ' ')}` : ''}`;
}

export class RolloutProgress {
  private state: WaveState | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly stderr: Stream,
    private readonly mode: ProgressMode,
    private readonly color: ChalkInstance,
    private readonly clock: Clock,
  ) {}

  private line(s: WaveState): string {
    const elapsed = this.clock.now() - s.started;
    const rate = elapsed > 0 ? (s.done / elapsed) * 1000 : 0;
    const parts = [`${s.done} of ${s.size} done`];
    if (s.failed) parts.push(this.color.red(`${s.failed} failed`));
    if (s.notStarted) parts.push(`${s.notStarted} not started`);
    if (s.open.size) parts.push(`${s.open.size} in flight`);
    parts.push(`${rate.toFixed(1)}/s`, seconds(elapsed));
    return `Wave ${s.wave}/${s.waves}: ${parts.join(' · ')}${s.settling ? ' · waiting for Compliant' : ''}`;
  }

  private draw(final = false): void {
    if (!this.state) return;
    this.stderr.write(`\r\x1b[K${this.line(this.state)}${final ? '\n' : ''}`);
  }

  onEvent(e: RolloutEvent): void {
    if (this.mode === 'quiet') {
      if (e.type === 'result' && e.result.outcome === 'failed') this.stderr.write(`${this.color.red('FAILED:')} ${outcomeLine(e.result)}\n`);
      return;
    }
    if (this.mode === 'lines') {
      if (e.type === 'wave') this.stderr.write(`Wave ${e.wave} of ${e.waves}: ${e.size} cluster${e.size === 1 ? '' : 's'}\n`);
      else if (e.type === 'settling') this.stderr.write(`Wave ${e.wave}: waiting for ${e.clusters} cluster${e.clusters === 1 ? '' : 's'} to report Compliant\n`);
      else if (e.type === 'result') this.stderr.write(`  ${outcomeLine(e.result)}\n`);
      else if (e.type === 'wave-done') this.stderr.write(`Wave ${e.wave} done${e.failed ? `: ${e.failed} failed` : ''}\n`);
      return;
    }
    switch (e.type) {
      case 'wave':
        this.state = { wave: e.wave, waves: e.waves, size: e.size, done: 0, failed: 0, notStarted: 0, open: new Set(), started: this.clock.now(), settling: false };
        this.timer = setInterval(() => this.draw(), 250);
        this.draw();
        break;
      case 'start':
        this.state?.open.add(e.item);
        break;
      case 'settling':
        if (this.state) this.state.settling = true;
        this.draw();
        break;
      case 'result': {
        const s = this.state;
        if (!s || e.result.wave !== s.wave) break;
        s.open.delete(e.result.item);
        if (e.result.outcome === 'not started') s.notStarted++;
        else s.done++;
        if (e.result.outcome === 'failed') {
          s.failed++;
          this.stderr.write(`\r\x1b[K${this.color.red('✗')} ${outcomeLine(e.result)}\n`);
        }
        this.draw();
        break;
      }
      case 'wave-done':
        this.stop();
        this.draw(true);
        this.state = undefined;
        break;
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
