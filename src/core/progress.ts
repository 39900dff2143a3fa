/**
 * Progress of a wait on stderr: on a terminal an ora spinner with the phase, the elapsed time
 * and the last state the service reported; elsewhere one line when a phase starts and one when
 * it ends (state changes with --verbose). ora is loaded only when a spinner is shown.
 *
 * A terminal that reports no size (0 columns or rows, as a pseudo-terminal nobody sized) gets
 * the plain lines too: a spinner there cannot tell how many lines to clear.
 */
import type { Context } from './context.js';
import { redactor } from './redact.js';
import { redrawableSize } from './terminal.js';

export interface Progress {
  /** The last state the service reported, shown beside the phase. */
  state(text: string): void;
  succeed(text: string): void;
  fail(text: string): void;
  /** Stops without a final line (e.g. on Ctrl-C). */
  stop(): void;
}

const seconds = (ms: number): string => {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
};

export async function startProgress(ctx: Context, phase: string): Promise<Progress> {
  const started = Date.now();
  let state = '';
  const quiet = Boolean(ctx.options.onlyShowErrors);
  if (ctx.stderr.isTTY && redrawableSize(process.stderr) && !quiet && !ctx.env.CI) {
    const { default: ora } = await import('ora');
    const text = (): string => redactor.redact(`${phase} ${ctx.color.stderr.dim(`(${seconds(Date.now() - started)}${state ? `, ${state}` : ''})`)}`);
    const spinner = ora({ text: text(), stream: process.stderr, discardStdin: false }).start();
    const timer = setInterval(() => (spinner.text = text()), 1000);
    const end = (): void => clearInterval(timer);
    return {
      state: (s) => {
        state = s;
        spinner.text = text();
      },
      succeed: (t) => (end(), spinner.succeed(redactor.redact(`${t} ${ctx.color.stderr.dim(`(${seconds(Date.now() - started)})`)}`))),
      fail: (t) => (end(), spinner.fail(redactor.redact(t))),
      stop: () => (end(), spinner.stop()),
    };
  }
  ctx.log.info(`${phase}…`);
  return {
    state: (s) => {
      if (s !== state) ctx.log.verbose(`${phase}: ${s} after ${seconds(Date.now() - started)}`);
      state = s;
    },
    succeed: (t) => ctx.log.info(`${t} (${seconds(Date.now() - started)})`),
    fail: (t) => ctx.log.info(t),
    stop: () => undefined,
  };
}
