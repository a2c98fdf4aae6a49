// The rules' behaviour, not just their syntax: for every stack, the rendered rule file is run through
// promtool's unit tests (https://prometheus.io/docs/prometheus/latest/configuration/unit_testing_rules/)
// against the fault scenarios of alerts/*-scenarios.ts. Each scenario checks what fires, with its exact
// labels and annotations, by when (the first evaluation it is expected to fire at), and that every
// other alert of the file stays silent; some also check a recording rule's value.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { before, describe, it } from "node:test";
import { parse, stringify } from "yaml";
import { placeholderSecretFlags, renderedFile } from "./support/render";
import { temporaryDirectory } from "./support/temporary";
import { tool } from "./support/tools";
import { requirePromtool3, runPromtool } from "../tools/promtool";
import {
    absolute,
    testGroup,
    unitTestFile,
    type AlertRuleTest,
    type PromqlExprTest,
    type Scenario,
} from "../alerts/scenario";
import { scenarios } from "../alerts/scenarios";

const root = resolve(__dirname, "..");
const tsx = join(root, "node_modules", ".bin", "tsx");
const seedRules = join(__dirname, "fixtures", "seed-rules.yaml");

interface Rule {
    alert?: string;
    record?: string;
    expr: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
}
interface RuleFile {
    groups: { name: string; rules: Rule[] }[];
}

/** At most one promtool per CPU: the scenarios of a stack run concurrently. */
const slots = { free: Math.max(1, availableParallelism()), waiting: [] as (() => void)[] };
async function promtoolTest(file: string): Promise<{ ok: boolean; output: string }> {
    if (slots.free === 0) await new Promise<void>((wake) => slots.waiting.push(wake));
    else slots.free -= 1;
    try {
        const { code, output } = await runPromtool(["test", "rules", file]);
        return { ok: code === 0, output };
    } finally {
        const next = slots.waiting.shift();
        if (next === undefined) slots.free += 1;
        else next();
    }
}

/** The promtool test file for a scenario against a rendered rule file. */
function scenarioTests(scenario: Scenario, ruleFile: string, rules: RuleFile): Record<string, unknown> {
    const alerts = rules.groups.flatMap((group) => group.rules.filter((rule) => rule.alert !== undefined));
    const names = [...new Set(alerts.map((rule) => rule.alert as string))];
    for (const expected of scenario.fires)
        assert.ok(
            names.includes(expected.alertname),
            `${scenario.name}: no alert ${expected.alertname} in the rule file`,
        );
    // The links are the rule's own (Grafana's URL differs per stack); an alert name may have a
    // critical and a warning rule, told apart by severity.
    const links = (name: string, severity: string | undefined): { runbook_url: string; dashboard_url: string } => {
        const rule = alerts.find((candidate) => candidate.alert === name && candidate.labels?.severity === severity);
        const { runbook_url = "", dashboard_url = "" } = rule?.annotations ?? {};
        assert.ok(runbook_url.endsWith(`/${name}.md`), `${name}: runbook_url "${runbook_url}" is not its runbook`);
        assert.match(
            dashboard_url,
            /^https?:\/\/.+\/d\//,
            `${name}: dashboard_url "${dashboard_url}" is no dashboard link`,
        );
        return { runbook_url, dashboard_url };
    };
    // Before its first expected firing an alert must be silent; at each expected firing, exactly the
    // expected alerts of that name fire. After that it is not checked: its $value, in the description,
    // moves on.
    const times = [...new Set([...scenario.silentAt, ...scenario.fires.map((alert) => alert.firingAt)])].sort(
        (a, b) => a - b,
    );
    const alertTests: AlertRuleTest[] = times.flatMap((time) =>
        names.flatMap((name) => {
            const expected = scenario.fires.filter((alert) => alert.alertname === name);
            const first = Math.min(...expected.map((alert) => alert.firingAt));
            if (time >= first && !expected.some((alert) => alert.firingAt === time)) return [];
            return [
                {
                    eval_time: absolute(scenario, time),
                    alertname: name,
                    exp_alerts: expected
                        .filter((alert) => alert.firingAt <= time)
                        .map((alert) => ({
                            exp_labels: alert.labels,
                            exp_annotations: {
                                summary: alert.summary,
                                description: alert.description,
                                ...links(name, alert.labels.severity),
                            },
                        })),
                },
            ];
        }),
    );
    // Rounded to 6 decimals, so that 7.9999999999999964 reads 8 whatever promtool's own tolerance.
    const exprTests: PromqlExprTest[] = (scenario.records ?? []).map((check) => ({
        expr: `round(${check.expr} * 1e6) / 1e6`,
        eval_time: absolute(scenario, check.at),
        exp_samples: [
            {
                labels: `{${Object.entries(check.labels ?? {})
                    .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
                    .join(", ")}}`,
                value: check.value,
            },
        ],
    }));
    // ALERTS carries a series per pending or firing alert: none means the condition is false.
    const inactiveTests: PromqlExprTest[] = (scenario.inactive ?? []).flatMap(({ alertname, at }) =>
        at.map((time) => ({
            expr: `ALERTS{alertname=${JSON.stringify(alertname)}}`,
            eval_time: absolute(scenario, time),
            exp_samples: [],
        })),
    );
    return unitTestFile(ruleFile, [testGroup(scenario, alertTests, [...exprTests, ...inactiveTests])]);
}

function expectation(scenario: Scenario): string {
    const fires =
        scenario.fires.length === 0
            ? "nothing fires"
            : scenario.fires.map((alert) => `${alert.alertname} by +${alert.firingAt}m`).join(", ");
    const quiet = (scenario.inactive ?? []).map(({ alertname }) => `${alertname} not even pending`);
    return [fires, ...quiet].join(", ");
}

// The scenarios' timings and values are Prometheus 3's: refuse an older promtool rather than fail them.
before(() => requirePromtool3());

it("refuses promtool 2, saying how to get promtool 3", () => {
    const bin = temporaryDirectory("promtool-2-");
    writeFileSync(join(bin, "promtool"), '#!/bin/sh\necho "promtool, version 2.42.0+ds (branch: debian/sid)"\n', {
        mode: 0o755,
    });
    const result = spawnSync(tsx, ["-e", 'require("./tools/promtool").requirePromtool3()'], {
        cwd: root,
        encoding: "utf8",
        env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ""}` },
    });
    assert.notEqual(result.status, 0, "promtool 2.42 was accepted");
    assert.match(result.stderr, /promtool version 2\.42\.0\S* is too old/);
    assert.match(result.stderr, /eval "\$\(bash \.ci\/install-tools\.sh\)"/);
    assert.match(result.stderr, /brew install prometheus/);
});

it("the seed's rule file (fixture) is valid and holds its four alerts", () => {
    assert.match(tool("promtool", ["check", "rules", seedRules]), /SUCCESS: 4 rules found/);
});

for (const stack of ["dev", "staging", "prod"]) {
    describe(`alert rules of stack ${stack}`, { concurrency: true }, () => {
        let ruleFile = "";
        let rules: RuleFile;
        let directory = "";
        before(() => {
            ruleFile = renderedFile(stack, "prometheus-rules.yaml", placeholderSecretFlags(stack));
            rules = parse(readFileSync(ruleFile, "utf8")) as RuleFile;
            directory = temporaryDirectory(`alert-tests-${stack}-`);
        });

        it("passes promtool check rules", () => {
            assert.match(tool("promtool", ["check", "rules", ruleFile]), /SUCCESS: \d+ rules found/);
        });

        // Prometheus evaluates a group's rules in order but the groups concurrently: a rule that reads
        // another group's recording rule reads it one interval late, or stale. (promtool evaluates the
        // groups one after the other, so no scenario can show it.)
        it("every recording rule a rule reads is recorded before it, in its own group", () => {
            const recordedIn = new Map<string, string>();
            for (const group of rules.groups)
                for (const rule of group.rules) if (rule.record !== undefined) recordedIn.set(rule.record, group.name);
            assert.ok(recordedIn.size > 0, "no recording rule rendered");
            const problems: string[] = [];
            for (const group of rules.groups) {
                const recordedBefore = new Set<string>();
                for (const rule of group.rules) {
                    // Recording rule names are the only PromQL identifiers with a colon.
                    for (const name of rule.expr.match(/[A-Za-z_:][\w:]*/g) ?? []) {
                        const home = recordedIn.get(name);
                        if (home !== undefined && !recordedBefore.has(name))
                            problems.push(
                                `${rule.alert ?? rule.record ?? "?"} (group ${group.name}) reads ${name}, recorded ${home === group.name ? "after it" : `in group ${home}`}`,
                            );
                    }
                    if (rule.record !== undefined) recordedBefore.add(rule.record);
                }
            }
            assert.deepEqual(problems, []);
        });

        for (const scenario of scenarios) {
            it(`${scenario.name}: ${expectation(scenario)}`, async () => {
                const file = join(directory, `${scenario.name.replaceAll(/\W+/g, "-")}.yaml`);
                writeFileSync(file, stringify(scenarioTests(scenario, ruleFile, rules), { lineWidth: 0 }));
                const result = await promtoolTest(file);
                assert.ok(result.ok, `promtool test rules ${file} (${scenario.description}):\n${result.output}`);
            });
        }
    });
}
