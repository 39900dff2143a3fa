/**
 * Shell completion from the command tree itself: whatever commands and flags the tree has
 * when it runs are what a TAB offers, so nothing here lists a command by hand. The shell
 * scripts (scripts.ts) call `k8s-gitops __complete WORD… CURRENT` on each TAB; the answer is
 * one candidate per line (`value` or `value<TAB>description`), then a directive line:
 * `:values` (only these), `:files` (the shell completes file names) or `:dirs` (directories).
 */
import { Help, type Argument, type Command, type Option } from 'commander';

export type Directive = 'values' | 'files' | 'dirs';

export interface Candidate {
  value: string;
  description?: string;
}

export interface Completion {
  candidates: Candidate[];
  directive: Directive;
}

/** Values of flags whose choices the tree does not declare (`-t`, `-o`, `--kind` …), by long name. */
export type ValueSource = (flag: string) => readonly string[] | undefined;

const help = new Help();

function visibleSubcommands(cmd: Command): Command[] {
  return help.visibleCommands(cmd).filter((c) => c.name() !== 'help' || cmd.commands.includes(c));
}

function findSubcommand(cmd: Command, word: string): Command | undefined {
  return cmd.commands.find((c) => c.name() === word || c.aliases().includes(word));
}

function findOption(cmd: Command, word: string): Option | undefined {
  return cmd.options.find((o) => o.long === word || o.short === word);
}

/** The placeholder of an option's value: `<path>` → path. */
function placeholder(option: Option): string {
  return /[<[]([^>\]]+)[>\]]/.exec(option.flags)?.[1]?.replace(/\.\.\.$/, '') ?? '';
}

/** What a value of this option is: one of a list, a file name, a directory, or free text. */
function valueKind(option: Option, values: ValueSource): { choices?: readonly string[]; directive: Directive } {
  const choices = option.argChoices ?? values(option.long ?? '');
  if (choices) return { choices, directive: 'values' };
  const name = placeholder(option);
  if (name === 'dir' || name === 'directory') return { directive: 'dirs' };
  if (name === 'path' || name === 'file' || option.long === '--file' || option.long?.endsWith('-file') || option.long === '--kubeconfig') return { directive: 'files' };
  // A switch that may take true/false (`--suspend [bool]`).
  if (option.optional && name === 'bool') return { choices: ['true', 'false'], directive: 'values' };
  return { directive: 'values' };
}

function oneLine(text: string | undefined): string | undefined {
  const t = text?.replace(/\s+/g, ' ').trim();
  return t ? t : undefined;
}

function optionCandidates(cmd: Command): Candidate[] {
  const out: Candidate[] = [];
  for (const option of help.visibleOptions(cmd)) {
    const description = oneLine(option.description);
    for (const flag of [option.long, option.short]) if (flag) out.push({ value: flag, ...(description ? { description } : {}) });
  }
  return out;
}

function commandCandidates(cmd: Command): Candidate[] {
  return visibleSubcommands(cmd).map((c) => {
    const description = oneLine(c.summary() || c.description());
    return { value: c.name(), ...(description ? { description } : {}) };
  });
}

function positionalKind(arg: Argument | undefined): { choices?: readonly string[]; directive: Directive } | undefined {
  if (!arg) return undefined;
  if (arg.argChoices) return { choices: arg.argChoices, directive: 'values' };
  const name = arg.name();
  if (name === 'dir' || name === 'directory') return { directive: 'dirs' };
  if (name === 'file' || name === 'path') return { directive: 'files' };
  return undefined;
}

const byPrefix = (prefix: string) => (c: Candidate) => c.value.startsWith(prefix);

/** Completes the last of `words` (the one being typed; '' after a space) against the tree. */
export function complete(program: Command, words: readonly string[], values: ValueSource): Completion {
  const before = words.slice(0, -1);
  const current = words[words.length - 1] ?? '';
  let cmd = program;
  let positional = 0;
  let pending: Option | undefined; // an option whose value comes next
  let multi: Option | undefined; // a key=value… option still taking words
  let dashes = false;
  for (const word of before) {
    if (pending) {
      pending = undefined;
      continue;
    }
    if (!dashes && word === '--') {
      dashes = true;
      continue;
    }
    if (!dashes && word.startsWith('-') && word !== '-') {
      multi = undefined;
      const eq = word.startsWith('--') ? word.indexOf('=') : -1;
      const option = findOption(cmd, eq > 0 ? word.slice(0, eq) : word);
      if (option && eq < 0 && option.required) {
        if (option.variadic) multi = option;
        else pending = option;
      }
      continue;
    }
    if (multi) continue;
    const sub = positional === 0 && !dashes ? findSubcommand(cmd, word) : undefined;
    if (sub) {
      cmd = sub;
      continue;
    }
    positional++;
  }

  const values$ = (option: Option, prefix: string, typed: string): Completion => {
    const kind = valueKind(option, values);
    if (!kind.choices) return { candidates: [], directive: kind.directive };
    return { candidates: kind.choices.map((v) => ({ value: prefix + v })).filter(byPrefix(prefix + typed)), directive: 'values' };
  };

  if (pending) return values$(pending, '', current);
  if (!dashes && current.startsWith('--') && current.includes('=')) {
    const eq = current.indexOf('=');
    const option = findOption(cmd, current.slice(0, eq));
    return option ? values$(option, current.slice(0, eq + 1), current.slice(eq + 1)) : { candidates: [], directive: 'values' };
  }
  if (!dashes && current.startsWith('-')) return { candidates: optionCandidates(cmd).filter(byPrefix(current)), directive: 'values' };
  if (multi) return { candidates: [], directive: 'values' };
  if (positional === 0 && cmd.commands.length > 0) return { candidates: commandCandidates(cmd).filter(byPrefix(current)), directive: 'values' };
  const arg = positionalKind(cmd.registeredArguments[Math.min(positional, cmd.registeredArguments.length - 1)]);
  if (arg?.choices) return { candidates: arg.choices.map((v) => ({ value: v })).filter(byPrefix(current)), directive: 'values' };
  if (arg) return { candidates: [], directive: arg.directive };
  // A command that takes no word here: its flags are what can come next.
  return { candidates: optionCandidates(cmd).filter(byPrefix(current)), directive: 'values' };
}

/** The protocol's text: candidates, then the directive. */
export function formatCompletion(c: Completion): string {
  const lines = c.candidates.map((x) => (x.description ? `${x.value}\t${x.description}` : x.value));
  return `${[...lines, `:${c.directive}`].join('\n')}\n`;
}
