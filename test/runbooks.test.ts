// The runbooks in docs/runbooks against the rules they explain: one page per alert and no page without
// one, the same sections in the same order, each page showing its alert's exact expression, and an
// index that links every page. The rules come from the pure builders, so a new alert fails here until
// its page exists. A page shows an expression by reference: a `<!-- expr: AlertName -->` marker, after
// which tools/runbook-expressions.ts writes the rendered expression, so a changed threshold needs that
// tool run, never a hand copy.

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { parseStackConfig } from "../config";
import { alertNames, rulesContext, stellaRuleGroups, type Rule } from "../alerts/rules";
import {
    alertRules,
    expressionMarkers,
    expressionProblems,
    markedRule,
    writeExpressions,
} from "../tools/runbook-expressions";

const runbookDir = `${__dirname}/../docs/runbooks`;
const indexPage = "README.md";
const sections = ["Meaning", "Diagnosis", "Remedy"] as const;
const optionalSections = ["Tuning"] as const;

const config = parseStackConfig("dev", {});
const context = rulesContext(config);
const groups = stellaRuleGroups(context);
// An alert name may carry two rules of different severities (warning for one pod, critical for all);
// its page explains both.
const names = [...new Set(alertNames(groups))];
const alerts = new Map<string, Rule[]>();
for (const rule of groups.flatMap((group) => group.rules)) {
    if (rule.alert !== undefined) alerts.set(rule.alert, [...(alerts.get(rule.alert) ?? []), rule]);
}

const ruleIndex = alertRules();

const pageFiles = readdirSync(runbookDir).filter((file) => file.endsWith(".md") && file !== indexPage);

function page(name: string): string {
    return readFileSync(`${runbookDir}/${name}.md`, "utf8");
}

/** The level-2 headings of a page, in order. */
function headings(text: string): string[] {
    return text
        .split("\n")
        .filter((line) => line.startsWith("## "))
        .map((line) => line.slice(3).trim());
}

/** The text of one `## <title>` section, up to the next level-2 heading. */
function section(text: string, title: string): string {
    const lines = text.split("\n");
    const start = lines.findIndex((line) => line.trim() === `## ${title}`);
    assert.notEqual(start, -1, `no "## ${title}" section`);
    const rest = lines.slice(start + 1);
    const end = rest.findIndex((line) => line.startsWith("## "));
    return (end === -1 ? rest : rest.slice(0, end)).join("\n");
}

/** The contents of the fenced code blocks of one language in a piece of Markdown. */
function codeBlocks(text: string, language: string): string[] {
    const blocks: string[] = [];
    let current: string[] | undefined;
    for (const line of text.split("\n")) {
        const fence = line.trim();
        if (current === undefined && fence === "```" + language) {
            current = [];
        } else if (current !== undefined && fence === "```") {
            blocks.push(current.map((code) => code.trim()).join("\n"));
            current = undefined;
        } else if (current !== undefined) {
            current.push(line);
        }
    }
    return blocks;
}

describe("runbooks", () => {
    it("builds a rule set with alerts to document", () => {
        assert.ok(names.length > 0, "no alerts built");
        for (const [name, rules] of alerts) {
            const severities = rules.map((rule) => rule.labels?.severity);
            assert.equal(new Set(severities).size, severities.length, `${name}: two rules with one severity`);
        }
    });

    it("has a page for every alert", () => {
        const missing = names.filter((name) => !pageFiles.includes(`${name}.md`));
        assert.deepEqual(missing, [], `alerts without a runbook in docs/runbooks: ${missing.join(", ")}`);
    });

    it("has no page for an alert that does not exist", () => {
        const stale = pageFiles.filter((file) => !names.includes(file.replace(/\.md$/, "")));
        assert.deepEqual(stale, [], `runbooks without an alert: ${stale.join(", ")}`);
    });

    for (const name of names) {
        describe(name, () => {
            const rules = alerts.get(name) ?? [];

            it("links its runbook page by name", () => {
                for (const rule of rules) {
                    const url = rule.annotations?.runbook_url ?? "";
                    assert.ok(url.endsWith(`/${name}.md`), `runbook_url ${url} does not end with /${name}.md`);
                    assert.equal(url, `${context.runbookBaseUrl.replace(/\/+$/, "")}/${name}.md`);
                }
            });

            it("opens with its name, severity and service", () => {
                const lines = page(name).split("\n");
                assert.equal(lines[0], `# ${name}`);
                const intro = lines.slice(1).find((line) => line.trim() !== "") ?? "";
                for (const rule of rules) {
                    const severity = rule.labels?.severity ?? "";
                    const service = rule.labels?.service ?? "";
                    assert.ok(intro.includes(severity), `the line under the title does not name severity ${severity}`);
                    assert.ok(
                        intro.includes(`\`${service}\``),
                        `the line under the title does not name service ${service}`,
                    );
                    const receiver = severity === "critical" ? "PagerDuty" : "Slack";
                    assert.ok(
                        intro.includes(receiver),
                        `a ${severity} alert goes to ${receiver}; the page should say so`,
                    );
                }
            });

            it("has the sections Meaning, Diagnosis, Remedy, in that order", () => {
                const found = headings(page(name));
                assert.deepEqual(found.slice(0, sections.length), [...sections]);
                const extra = found.slice(sections.length);
                for (const title of extra) {
                    assert.ok(
                        (optionalSections as readonly string[]).includes(title),
                        `unexpected section "## ${title}" after Remedy`,
                    );
                }
            });

            it("shows each of its rules' exact expressions under Meaning, by a marker", () => {
                const markers = expressionMarkers(section(page(name), "Meaning"));
                const rerun = "run npm run docs:runbooks to write the expressions";
                for (const rule of rules) {
                    assert.ok(rule.expr !== "", "the alert has no expression");
                    const severity = rules.length > 1 ? ` ${rule.labels?.severity ?? ""}` : "";
                    const marker = markers.find((candidate) => {
                        const marked = markedRule(ruleIndex, candidate);
                        return marked?.expr === rule.expr && marked.labels?.severity === rule.labels?.severity;
                    });
                    assert.ok(marker, `no <!-- expr: ${name}${severity} --> marker under Meaning`);
                    assert.equal(marker.quoted, rule.expr.trim(), `the block after the marker is stale: ${rerun}`);
                }
                assert.deepEqual(expressionProblems(page(name), ruleIndex), [], rerun);
            });

            it("gives PromQL, LogQL and kubectl to run under Diagnosis", () => {
                const diagnosis = section(page(name), "Diagnosis");
                assert.ok(codeBlocks(diagnosis, "promql").length > 0, "no ```promql block under Diagnosis");
                assert.ok(codeBlocks(diagnosis, "logql").length > 0, "no ```logql block under Diagnosis");
                assert.ok(codeBlocks(diagnosis, "bash").length > 0, "no ```bash block under Diagnosis");
            });
        });
    }

    it("writes a marked expression from its rule, and tells a stale or unknown one", () => {
        const [name = "", rules = []] = [...ruleIndex].find(([, named]) => named.length === 1) ?? [];
        const expr = rules[0]?.expr.trim() ?? "";
        const bare = `Text.\n\n  <!-- expr: ${name} -->\n\nMore.`;
        const written = writeExpressions(bare, ruleIndex);
        assert.equal(written, `Text.\n\n  <!-- expr: ${name} -->\n\n  \`\`\`promql\n  ${expr}\n  \`\`\`\n\nMore.`);
        assert.deepEqual(expressionProblems(written, ruleIndex), []);
        assert.equal(writeExpressions(written, ruleIndex), written, "writing twice changes the page");
        const stale = written.replace(expr, `${expr} > 1`);
        assert.deepEqual(expressionProblems(stale, ruleIndex), [
            `the expression after <!-- expr: ${name} --> is not its rule's`,
        ]);
        assert.equal(writeExpressions(stale, ruleIndex), written);
        assert.deepEqual(expressionProblems("<!-- expr: NoSuchAlert -->", ruleIndex), [
            "<!-- expr: NoSuchAlert --> names no single alerting rule",
        ]);
    });

    it("links every page from the index, and nothing else", () => {
        const index = readFileSync(`${runbookDir}/${indexPage}`, "utf8");
        const unlinked = pageFiles.filter((file) => !index.includes(`](${file})`));
        assert.deepEqual(unlinked, [], `pages missing from ${indexPage}: ${unlinked.join(", ")}`);
        const linked = [...index.matchAll(/\]\(([^)#]+\.md)\)/g)].map((match) => match[1] ?? "");
        const dangling = linked.filter((file) => !pageFiles.includes(file));
        assert.deepEqual(dangling, [], `${indexPage} links pages that do not exist: ${dangling.join(", ")}`);
    });
});
