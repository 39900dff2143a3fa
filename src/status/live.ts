/**
 * `status --watch` on a terminal: the view redrawn in place, from the latest status and the
 * clock, so that ages and "reported … ago" keep ticking between reads without asking Azure or
 * the cluster anything more. A frame is written only when it differs from the one on screen.
 */
import type { Clock } from '../core/clock.js';
import type { ClusterStatus } from './model.js';
import { LayoutMemory, renderFrame, renderStatus, type ScreenSize } from './view.js';

/** How often a live view redraws for the clock (ages show whole seconds). */
export const TICK_MS = 500;

export interface LiveViewOptions {
  write(text: string): void;
  /** The terminal's size now (it may be resized while watching). */
  size(): ScreenSize;
  color: boolean;
  clock: Clock;
}

export class LiveView {
  private status?: ClusterStatus;
  private lines = 0;
  private shown?: string;
  private readonly memory = new LayoutMemory();

  constructor(private readonly options: LiveViewOptions) {}

  /** A new status: drawn at once. */
  show(status: ClusterStatus): void {
    this.status = status;
    this.draw();
  }

  /** Draws the latest status against the clock; nothing is written when the screen would not change. */
  draw(): void {
    if (!this.status) return;
    const size = this.options.size();
    const body = renderStatus(this.status, { color: this.options.color, now: this.options.clock.now(), live: { ...(size.columns !== undefined ? { columns: size.columns } : {}), memory: this.memory } });
    const key = `${size.columns ?? ''}x${size.rows ?? ''}\n${body}`;
    if (key === this.shown) return;
    const frame = renderFrame(body, this.lines, size);
    this.lines = frame.lines;
    this.shown = key;
    this.options.write(frame.text);
  }

  /** Redraws every `everyMs` until `signal` aborts. */
  async tick(signal: AbortSignal, everyMs = TICK_MS): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.options.clock.sleep(everyMs, signal);
      } catch {
        return;
      }
      this.draw();
    }
  }
}
