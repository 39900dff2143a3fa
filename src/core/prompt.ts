/**
 * Confirmation of destructive commands: asked on a terminal with inquirer (on stderr, so stdout
 * stays data), skipped by --yes, and refused without a terminal rather than hanging.
 */
import type { Context } from './context.js';
import { InterruptedError, UsageError } from './errors.js';

export async function confirm(ctx: Context, question: string, yes: boolean | undefined): Promise<boolean> {
  if (yes) return true;
  if (!process.stdin.isTTY || !ctx.stderr.isTTY) {
    throw new UsageError('-y/--yes', `${question.replace(/\?$/, '')}: there is no terminal to ask on, so nothing was done.`, 'Add --yes to confirm.');
  }
  const { default: inquirer } = await import('inquirer');
  const prompt = inquirer.createPromptModule({ output: process.stderr });
  try {
    const answer = await prompt<{ ok: boolean }>([{ type: 'confirm', name: 'ok', message: question, default: false }]);
    return answer.ok;
  } catch (err) {
    if ((err as Error).name === 'ExitPromptError') throw new InterruptedError('interrupted at the prompt; nothing was done.');
    throw err;
  }
}
