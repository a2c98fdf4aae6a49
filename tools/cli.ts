// The command line of every tool (render, promote, smoke, bench, bench:alerts, check:charts): one
// description per tool gives its --help (usage, every flag, an example), strict parsing with
// node:util's parseArgs, typed values (a count must be a whole number, a choice one of its list) and,
// for a mistyped flag, the usage with a did-you-mean. Nothing runs until the whole command line is valid.

import { parseArgs, type ParseArgsConfig } from "node:util";
import { closest, distance } from "fastest-levenshtein";

interface FlagBase {
    /** One line: what the flag does (the default and the choices are added to the usage). */
    readonly description: string;
}
/** A text value: `--out <dir>`. */
export interface TextFlag extends FlagBase {
    readonly type: "text";
    /** Placeholder in the usage, e.g. "<dir>". */
    readonly value: string;
    readonly default?: string;
    readonly required?: boolean;
    readonly choices?: readonly string[];
}
/** A repeatable text value: `--config <path>=<value>`, any number of times. */
export interface ListFlag extends FlagBase {
    readonly type: "list";
    readonly value: string;
    readonly choices?: readonly string[];
}
/** A whole number: `--runs <n>`. */
export interface IntegerFlag extends FlagBase {
    readonly type: "integer";
    readonly value: string;
    readonly default?: number;
    readonly min?: number;
}
/** A switch: `--check`. */
export interface SwitchFlag extends FlagBase {
    readonly type: "switch";
}
export type Flag = TextFlag | ListFlag | IntegerFlag | SwitchFlag;

export interface Command {
    /** How the README calls it, e.g. "npm run render --". */
    readonly invocation: string;
    /** What the tool does, a sentence or two. */
    readonly summary: string;
    readonly flags: Readonly<Record<string, Flag>>;
    /** At least one full command line, as it is typed. */
    readonly examples: readonly string[];
    /** Extra lines after the flags (what the tool reads from stdin, what its exit codes mean). */
    readonly notes?: readonly string[];
}

type ValueOf<F extends Flag> = F extends SwitchFlag
    ? boolean
    : F extends ListFlag
      ? string[]
      : F extends IntegerFlag
        ? F extends { default: number }
            ? number
            : number | undefined
        : F extends { default: string } | { required: true }
          ? string
          : string | undefined;

export type Values<C extends Command> = { -readonly [K in keyof C["flags"]]: ValueOf<C["flags"][K]> };

/** A command line that cannot run: the message says what is wrong; the usage follows it. */
export class UsageError extends Error {
    override readonly name = "UsageError";
}

const helpFlag = "help";

function placeholder(flag: Flag): string {
    return flag.type === "switch" ? "" : ` ${flag.value}`;
}

/** The --help text. */
export function usage(command: Command): string {
    const entries = Object.entries(command.flags);
    const synopsis = entries.map(([name, flag]) => {
        const text = `--${name}${placeholder(flag)}`;
        if (flag.type === "list") return `[${text}]...`;
        return flag.type === "text" && flag.required === true ? text : `[${text}]`;
    });
    const left = (name: string, flag: Flag) => `  --${name}${placeholder(flag)}`;
    const width = Math.max(...entries.map(([name, flag]) => left(name, flag).length), "  --help".length) + 2;
    const lines = entries.map(([name, flag]) => {
        const extras: string[] = [];
        if (flag.type === "text" && flag.required === true) extras.push("required");
        if ((flag.type === "text" || flag.type === "list") && flag.choices !== undefined)
            extras.push(`one of ${flag.choices.join(", ")}`);
        if (flag.type === "list") extras.push("repeatable");
        if (flag.type === "integer" && flag.min !== undefined) extras.push(`a whole number, at least ${flag.min}`);
        if ((flag.type === "text" || flag.type === "integer") && flag.default !== undefined)
            extras.push(`default ${String(flag.default)}`);
        const suffix = extras.length === 0 ? "" : ` (${extras.join("; ")})`;
        return `${left(name, flag).padEnd(width)}${flag.description}${suffix}`;
    });
    return [
        `Usage: ${command.invocation} ${[...synopsis, "[--help]"].join(" ")}`,
        "",
        command.summary,
        "",
        "Flags:",
        ...lines,
        `${"  --help".padEnd(width)}print this help and exit`,
        ...(command.notes === undefined ? [] : ["", ...command.notes]),
        "",
        command.examples.length === 1 ? "Example:" : "Examples:",
        ...command.examples.map((example) => `  ${example}`),
        "",
    ].join("\n");
}

function didYouMean(unknown: string, known: readonly string[]): string {
    const best = closest(unknown, [...known]);
    // A suggestion only when it is plausibly a typo, not any flag at all.
    return distance(unknown, best) <= Math.max(2, Math.floor(best.length / 3)) ? `; did you mean --${best}?` : "";
}

/**
 * Parses argv against the command. Returns "help" for --help; throws UsageError (in the project's words,
 * naming the flag and the bad value) for anything else that is wrong.
 */
export function parseCommandLine<C extends Command>(command: C, argv: readonly string[]): Values<C> | "help" {
    const names = Object.keys(command.flags);
    const options: NonNullable<ParseArgsConfig["options"]> = { [helpFlag]: { type: "boolean", short: "h" } };
    for (const [name, flag] of Object.entries(command.flags))
        options[name] = { type: flag.type === "switch" ? "boolean" : "string", multiple: flag.type === "list" };

    // First pass, lenient: find unknown flags and stray arguments, to name them with a suggestion.
    const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
    for (const token of tokens) {
        if (token.kind === "option" && !(token.name in options))
            throw new UsageError(`unknown flag ${token.rawName}${didYouMean(token.name, names)}`);
        if (token.kind === "positional")
            throw new UsageError(`unexpected argument "${token.value}": every value follows its flag`);
    }
    if (tokens.some((token) => token.kind === "option" && token.name === helpFlag)) return "help";

    let parsed: Record<string, string | boolean | (string | boolean)[] | undefined>;
    try {
        parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
    } catch (error) {
        const code = (error as { code?: string }).code;
        const option = /'(-[^' ]+)/.exec((error as Error).message)?.[1];
        if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && option !== undefined) {
            const name = option.replace(/^-+/, "").split(/[ ,]/)[0] ?? option;
            const flag = command.flags[name];
            if (flag?.type === "switch") throw new UsageError(`--${name} takes no value`);
            throw new UsageError(`--${name} needs a value${flag === undefined ? "" : ` (${flag.value})`}`);
        }
        throw new UsageError((error as Error).message);
    }

    const values: Record<string, unknown> = {};
    for (const [name, flag] of Object.entries(command.flags)) {
        const raw = parsed[name];
        switch (flag.type) {
            case "switch":
                values[name] = raw === true;
                break;
            case "list": {
                const list = (Array.isArray(raw) ? raw : []).map(String);
                for (const item of list) checkChoice(name, item, flag.choices);
                values[name] = list;
                break;
            }
            case "integer": {
                if (raw === undefined) {
                    values[name] = flag.default;
                    break;
                }
                const text = String(raw);
                const number = Number(text);
                if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(number))
                    throw new UsageError(`--${name}: expected a whole number, got "${text}"`);
                if (flag.min !== undefined && number < flag.min)
                    throw new UsageError(`--${name}: expected at least ${flag.min}, got ${number}`);
                values[name] = number;
                break;
            }
            case "text": {
                const text = raw === undefined ? flag.default : String(raw);
                if (text === undefined && flag.required === true)
                    throw new UsageError(`--${name} ${flag.value} is required: ${flag.description}`);
                if (text !== undefined) {
                    if (text === "") throw new UsageError(`--${name}: expected ${flag.value}, got an empty value`);
                    checkChoice(name, text, flag.choices);
                }
                values[name] = text;
                break;
            }
        }
    }
    return values as Values<C>;
}

function checkChoice(name: string, value: string, choices: readonly string[] | undefined): void {
    if (choices === undefined || choices.includes(value)) return;
    const best = closest(value, [...choices]);
    const hint = distance(value, best) <= 2 ? `; did you mean ${best}?` : "";
    throw new UsageError(`--${name}: expected one of ${choices.join(", ")}, got "${value}"${hint}`);
}

/**
 * A tool's entry point: --help prints the usage (exit 0); a bad command line prints what is wrong and
 * the usage (exit 2); otherwise runs `main` with the typed values and exits with its code. A failure
 * of `main` prints "<tool> failed: <message>" (exit `failureCode`, 2 unless the tool says otherwise).
 */
export function runCli<C extends Command>(
    tool: string,
    command: C,
    main: (values: Values<C>) => Promise<number> | number,
    argv: readonly string[] = process.argv.slice(2),
    failureCode = 2,
): void {
    let values: Values<C> | "help";
    try {
        values = parseCommandLine(command, argv);
    } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        process.stderr.write(`${tool}: ${error.message}\n\n${usage(command)}`);
        process.exit(2);
    }
    if (values === "help") {
        process.stdout.write(usage(command));
        process.exit(0);
    }
    Promise.resolve()
        .then(() => main(values))
        .then(
            (code) => process.exit(code),
            (error: unknown) => {
                process.stderr.write(`${tool} failed: ${error instanceof Error ? error.message : String(error)}\n`);
                process.exit(failureCode);
            },
        );
}
