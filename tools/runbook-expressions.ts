// The expressions in the runbooks, written from the rules: a runbook names its alert's rule with a
// marker, `<!-- expr: AlertName -->` (or `<!-- expr: AlertName critical -->` when the name has rules of
// two severities), and this tool writes the rule's rendered expression (dev defaults) into the ```promql
// block right after it, adding the block if there is none. A runbook author writes the marker, never
// the expression; test/runbooks.test.ts fails while a block differs from its rule. The marker is an
// HTML comment: on GitHub the page shows the expression, not the marker.
//
//   npm run docs:runbooks [-- --check]

import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseStackConfig } from "../config";
import { rulesContext, stellaRuleGroups, type Rule } from "../alerts/rules";
import { runCli, type Command, type Values } from "./cli";

export const runbookDir = join(resolve(__dirname, ".."), "docs", "runbooks");

/** A marker: the alert's name and, optionally, the severity of the one rule of that name it means. */
const markerPattern = /^(\s*)<!-- expr: (\w+)(?: (\w+))? -->\s*$/;

export interface ExpressionMarker {
    readonly alert: string;
    readonly severity?: string;
    /** The expression of the ```promql block after the marker, or undefined when none follows. */
    readonly quoted?: string;
}

/** The alerting rules of the dev stack's defaults, by name: the expressions the runbooks show. */
export function alertRules(): Map<string, Rule[]> {
    const rules = new Map<string, Rule[]>();
    for (const rule of stellaRuleGroups(rulesContext(parseStackConfig("dev", {}))).flatMap((group) => group.rules))
        if (rule.alert !== undefined) rules.set(rule.alert, [...(rules.get(rule.alert) ?? []), rule]);
    return rules;
}

/**
 * The ```promql block after the marker at `lines[marker]`, past the blank line Prettier puts after an
 * HTML comment: its end line and its trimmed text.
 */
function blockAfter(lines: readonly string[], marker: number): { end: number; text: string } | undefined {
    let start = marker + 1;
    while (lines[start]?.trim() === "") start += 1;
    if (lines[start]?.trim() !== "```promql") return undefined;
    let end = start + 1;
    while (end < lines.length && lines[end]?.trim() !== "```") end += 1;
    return {
        end,
        text: lines
            .slice(start + 1, end)
            .map((line) => line.trim())
            .join("\n"),
    };
}

/** The markers of a page, with what follows each. */
export function expressionMarkers(page: string): ExpressionMarker[] {
    const lines = page.split("\n");
    return lines.flatMap((line, index) => {
        const match = markerPattern.exec(line);
        if (match === null) return [];
        const [, , alert = "", severity] = match;
        const block = blockAfter(lines, index);
        return [{ alert, ...(severity === undefined ? {} : { severity }), ...(block ? { quoted: block.text } : {}) }];
    });
}

/** The rule a marker means: the only rule of its name, or the one of its severity. */
export function markedRule(rules: Map<string, Rule[]>, marker: ExpressionMarker): Rule | undefined {
    const named = rules.get(marker.alert) ?? [];
    if (marker.severity === undefined) return named.length === 1 ? named[0] : undefined;
    return named.find((rule) => rule.labels?.severity === marker.severity);
}

/** A page with the block after every marker holding its rule's expression. Markers of no rule are kept. */
export function writeExpressions(page: string, rules: Map<string, Rule[]>): string {
    const lines = page.split("\n");
    const out: string[] = [];
    for (let index = 0; index < lines.length; index += 1) {
        const line = lines[index] ?? "";
        out.push(line);
        const match = markerPattern.exec(line);
        if (match === null) continue;
        const [, indent = "", alert = "", severity] = match;
        const rule = markedRule(rules, { alert, ...(severity === undefined ? {} : { severity }) });
        if (rule === undefined) continue;
        const block = blockAfter(lines, index);
        out.push(
            "",
            `${indent}\`\`\`promql`,
            ...rule.expr
                .trim()
                .split("\n")
                .map((text) => `${indent}${text}`),
            `${indent}\`\`\``,
        );
        if (block !== undefined) index = block.end;
    }
    return out.join("\n");
}

/** What is wrong with a page's markers: one that names no rule, a block that differs from its rule. */
export function expressionProblems(page: string, rules: Map<string, Rule[]>): string[] {
    return expressionMarkers(page).flatMap((marker) => {
        const name = `${marker.alert}${marker.severity === undefined ? "" : ` ${marker.severity}`}`;
        const rule = markedRule(rules, marker);
        if (rule === undefined) return [`<!-- expr: ${name} --> names no single alerting rule`];
        if (marker.quoted !== rule.expr.trim())
            return [`the expression after <!-- expr: ${name} --> is not its rule's`];
        return [];
    });
}

export const runbookExpressionsCommand = {
    invocation: "npm run docs:runbooks --",
    summary:
        "Writes each alert's rendered expression (dev defaults) into the ```promql block after every\n" +
        "<!-- expr: AlertName [severity] --> marker of docs/runbooks, adding the block if there is none.\n" +
        "--check changes nothing and lists the markers whose block differs (exit 1).",
    flags: { check: { type: "switch", description: "list the problems only, change nothing" } },
    examples: ["npm run docs:runbooks", "npm run docs:runbooks -- --check"],
} as const satisfies Command;

function main(values: Values<typeof runbookExpressionsCommand>): number {
    const rules = alertRules();
    let problems = 0;
    for (const file of readdirSync(runbookDir).filter((name) => name.endsWith(".md"))) {
        const path = join(runbookDir, file);
        const page = readFileSync(path, "utf8");
        if (values.check) {
            for (const problem of expressionProblems(page, rules)) console.error(`docs/runbooks/${file}: ${problem}`);
            problems += expressionProblems(page, rules).length;
            continue;
        }
        const written = writeExpressions(page, rules);
        if (written !== page) {
            writeFileSync(path, written);
            console.log(`docs/runbooks/${file}: expressions written from the rules`);
        }
    }
    return problems === 0 ? 0 : 1;
}

if (require.main === module) runCli("docs:runbooks", runbookExpressionsCommand, main);
