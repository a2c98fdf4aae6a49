// The README's config reference, checked against the schema: one row per settable key (a leaf of the
// schema: a value that is not an object of further keys), with its default as Pulumi.yaml holds it.
// test/readme.test.ts fails, naming the key and the default, when a row is missing or wrong;
// `npm run docs:config` rewrites the table: a row per key, defaults from the schema, every meaning kept.
//
//   npm run docs:config   (--help says it all)

import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

import { z } from "zod";
import { defaultConfigValues } from "../config/parse";
import { valueAt } from "../config/paths";
import { configSchema, secretPaths } from "../config/schema";
import { isSecretAt } from "../config/secrets";
import { runCli, type Command, type Values } from "./cli";

export interface ConfigLeaf {
    /** Dotted path, as for `pulumi config set --path`. */
    readonly path: string;
    /** The default, or undefined when the key is unset by default. */
    readonly default: unknown;
    readonly secret: boolean;
}

function unwrap(node: z.ZodType): z.ZodType {
    let current: z.ZodType = node;
    for (;;) {
        if (current instanceof z.ZodDefault || current instanceof z.ZodOptional || current instanceof z.ZodPrefault)
            current = current.unwrap() as z.ZodType;
        else if (current instanceof z.ZodPipe) current = current.out as z.ZodType;
        else return current;
    }
}

/** Every settable key of the schema, in schema order. */
export function configSchemaLeaves(): ConfigLeaf[] {
    const defaults = defaultConfigValues();
    const leaves: ConfigLeaf[] = [];
    const walk = (node: z.ZodType, path: string[]) => {
        const inner = unwrap(node);
        if (inner instanceof z.ZodObject) {
            const shape: Record<string, z.ZodType> = inner.shape;
            for (const [key, child] of Object.entries(shape)) walk(child, [...path, key]);
            return;
        }
        const dotted = path.join(".");
        // The key's own default, also where its object is unset by default (loki.objectStorage.insecure).
        const own = node.safeParse(undefined);
        const fallback = own.success ? own.data : undefined;
        leaves.push({
            path: dotted,
            default: valueAt(defaults, path) ?? fallback,
            secret: isSecretAt(secretPaths, path),
        });
    };
    walk(configSchema, []);
    return leaves;
}

/** A default as the README writes it: `value` in code, or "unset". */
export function formatDefault(value: unknown): string {
    if (value === undefined) return "unset";
    return `\`${typeof value === "string" ? value : JSON.stringify(value)}\``;
}

export interface ReferenceRow {
    readonly key: string;
    readonly defaultCell: string;
    readonly meaning: string;
}

const heading = "## Config reference";

/** The rows of the README's config reference table (the first table under its heading). */
export function referenceRows(readme: string): ReferenceRow[] {
    const start = readme.indexOf(heading);
    if (start < 0) throw new Error(`README.md has no "${heading}" section`);
    const lines = readme.slice(start).split("\n");
    const first = lines.findIndex((line) => line.startsWith("| key"));
    const rows: ReferenceRow[] = [];
    for (const line of lines.slice(first + 2)) {
        if (!line.startsWith("|")) break;
        const cells = line
            .slice(1, -1)
            .split(/(?<!\\)\|/)
            .map((cell) => cell.trim());
        rows.push({
            key: (cells[0] ?? "").replace(/^`|`$/g, ""),
            defaultCell: cells[1] ?? "",
            meaning: cells[2] ?? "",
        });
    }
    return rows;
}

/** What is wrong with the table, one line per key: missing rows, wrong defaults, rows for no key. */
export function referenceProblems(readme: string): string[] {
    const rows = referenceRows(readme);
    const byKey = new Map(rows.map((row) => [row.key, row]));
    const problems: string[] = [];
    const leaves = configSchemaLeaves();
    for (const leaf of leaves) {
        const expected = formatDefault(leaf.default);
        const row = byKey.get(leaf.path);
        if (row === undefined) problems.push(`no row for \`${leaf.path}\` (default ${expected})`);
        else if (!row.defaultCell.startsWith(expected))
            problems.push(
                `\`${leaf.path}\`: the default column says "${row.defaultCell}", the schema's default is ${expected}`,
            );
        else if (leaf.secret && !row.defaultCell.includes("secret"))
            problems.push(`\`${leaf.path}\`: a secret; its default column must say so`);
    }
    const known = new Set(leaves.map((leaf) => leaf.path));
    for (const row of rows)
        if (!known.has(row.key)) problems.push(`row \`${row.key}\` names no key of the schema (renamed or removed?)`);
    return problems;
}

/** The table with a row per key in schema order; a row's meaning (and a default's note) kept. */
export function regenerateReference(readme: string): string {
    const rows = referenceRows(readme);
    const byKey = new Map(rows.map((row) => [row.key, row]));
    const table = configSchemaLeaves().map((leaf) => {
        const expected = formatDefault(leaf.default) + (leaf.secret && leaf.default === undefined ? " (secret)" : "");
        const row = byKey.get(leaf.path);
        const defaultCell =
            row !== undefined && row.defaultCell.startsWith(formatDefault(leaf.default)) ? row.defaultCell : expected;
        return [`\`${leaf.path}\``, defaultCell, row?.meaning ?? ""];
    });
    const widths = [0, 1, 2].map((column) =>
        Math.max(
            ["key", "default", "meaning"][column]?.length ?? 0,
            ...table.map((cells) => cells[column]?.length ?? 0),
        ),
    );
    const line = (cells: string[]) =>
        `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(" | ")} |`;
    const text = [
        line(["key", "default", "meaning"]),
        `| ${widths.map((width) => "-".repeat(width)).join(" | ")} |`,
        ...table.map(line),
    ];
    const start = readme.indexOf(heading);
    const lines = readme.slice(start).split("\n");
    const first = lines.findIndex((l) => l.startsWith("| key"));
    let last = first;
    while (lines[last + 1]?.startsWith("|") === true) last++;
    return readme.slice(0, start) + [...lines.slice(0, first), ...text, ...lines.slice(last + 1)].join("\n");
}

export const docsConfigCommand = {
    invocation: "npm run docs:config --",
    summary:
        "Rewrites README.md's config reference table from the schema in config/schema/: a row per settable key,\n" +
        "in schema order, with its default; the meaning of every existing row is kept (a new key's is empty:\n" +
        "write it). --check changes nothing and lists what is missing or wrong (exit 1).",
    flags: { check: { type: "switch", description: "list the problems only, change nothing" } },
    examples: ["npm run docs:config", "npm run docs:config -- --check"],
} as const satisfies Command;

function main(values: Values<typeof docsConfigCommand>): number {
    const path = join(resolve(__dirname, ".."), "README.md");
    const readme = readFileSync(path, "utf8");
    if (values.check) {
        const problems = referenceProblems(readme);
        for (const problem of problems) console.error(`README config reference: ${problem}`);
        return problems.length === 0 ? 0 : 1;
    }
    writeFileSync(path, regenerateReference(readme));
    console.log("README.md: config reference rewritten from the schema (run prettier: npm run format)");
    return 0;
}

if (require.main === module) runCli("docs:config", docsConfigCommand, main);
