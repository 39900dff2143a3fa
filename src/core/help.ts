/**
 * How help reads: wrapped to the terminal's width (80 columns when it reports none, or when the
 * output is not a terminal), with long option terms on a line of their own so that descriptions
 * still wrap; required arguments marked; a choice flag's values listed (commander's own
 * "(choices: …)").
 */
import { Help, type Command, type HelpConfiguration, type Option } from 'commander';

const required = new WeakMap<Option, string>();

/**
 * Marks an option as required in its help. `note` says when, e.g. "required unless
 * --cluster-id". Options made with `requiredOption` are marked without this.
 */
export function markRequired(option: Option, note = 'required'): Option {
  required.set(option, note);
  return option;
}

/** The width help is wrapped to: the terminal's, or 80 when there is no terminal or it reports 0 columns. */
export function helpWidthOf(stream: { isTTY?: boolean; columns?: number }): number {
  const columns = stream.isTTY ? stream.columns : undefined;
  return columns !== undefined && columns > 0 ? columns : 80;
}

const INDENT = 2;
const SPACER = 2;
/** Below this many columns for a description, it goes on its own lines under the term. */
const NARROW = 24;

export const HELP_CONFIGURATION: HelpConfiguration = {
  minWidthToWrap: 16,

  /** Terms wider than 40% of the screen do not push every description to the right. */
  padWidth(this: Help, cmd: Command, helper: Help): number {
    const longest = Help.prototype.padWidth.call(this, cmd, helper);
    const width = this.helpWidth ?? 80;
    return Math.min(longest, Math.max(16, Math.floor(width * 0.4)));
  },

  optionDescription(this: Help, option: Option): string {
    // A description that already names every value needs no "(choices: …)" after it.
    const named = option.argChoices?.every((c) => option.description.includes(c));
    const base = Help.prototype.optionDescription.call(this, named ? (Object.create(option, { argChoices: { value: undefined } }) as Option) : option);
    const note = required.get(option) ?? (option.mandatory ? 'required' : undefined);
    return note ? `[${note}] ${base}` : base;
  },

  formatItem(this: Help, term: string, termWidth: number, description: string, helper: Help): string {
    const pad = (n: number): string => ' '.repeat(n);
    if (!description) return pad(INDENT) + term;
    const width = this.helpWidth ?? 80;
    const column = INDENT + termWidth + SPACER;
    const termFits = helper.displayWidth(term) <= termWidth;
    if (width - column < NARROW) {
      // A narrow screen: every description under its term.
      const under = INDENT + 4;
      return `${pad(INDENT)}${term}\n${pad(under)}${helper.boxWrap(description, width - under).replace(/\n/g, `\n${pad(under)}`)}`;
    }
    const wrapped = helper.boxWrap(description, width - column).replace(/\n/g, `\n${pad(column)}`);
    if (termFits) return `${pad(INDENT)}${term.padEnd(termWidth + term.length - helper.displayWidth(term))}${pad(SPACER)}${wrapped}`;
    return `${pad(INDENT)}${term}\n${pad(column)}${wrapped}`;
  },
};
