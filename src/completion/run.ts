/** `k8s-gitops __complete WORD… CURRENT`: what the completion scripts call on each TAB. */
import { complete, formatCompletion } from './engine.js';
import { flagValues } from './values.js';

export async function runComplete(words: readonly string[], write: (text: string) => void): Promise<void> {
  // The whole tree, every group built, and still no SDK: commands import those when they run.
  const { buildProgram, rewriteCommandLine } = await import('../cli.js');
  const program = await buildProgram([], { all: true });
  // The words before the cursor read as the CLI reads them (az's `flux create` is `flux config create`).
  const before = rewriteCommandLine(words.slice(0, -1));
  write(formatCompletion(complete(program, [...before, words[words.length - 1] ?? ''], flagValues)));
}
