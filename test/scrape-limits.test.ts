// STELLA's scrape limits: the config keys (stella.scrapeLimits), the PodMonitor fields they become,
// and the two alerts on them run through `promtool test rules` on the group as the stack renders it:
// a pod near its job's sample limit warns, naming it; a pod whose scrapes are read and refused pages;
// a pod that cannot be reached, or one well under its own job's limit, stays silent.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseStackConfig } from "../config";
import { podMonitor } from "../components/prometheus-specs";
import { rulesContext, stellaRuleGroups, type Rule } from "../alerts/rules";
import { promtoolTestRules } from "./support/tools";

const stella = (value: unknown) => ({ stella: { value, secret: false } });
// The agents' own sample limit, twice the backend's: a pod's share is of its own job's limit.
const config = parseStackConfig("dev", stella({ scrapeLimits: { agents: { samples: 10000 } } }));
const group = stellaRuleGroups(rulesContext(config)).find((candidate) => candidate.name === "stella-scrape-limits");

function rule(name: string): Rule {
    const found = group?.rules.find((candidate) => candidate.alert === name);
    assert.ok(found, `no alert ${name} in group stella-scrape-limits`);
    return found;
}

describe("stella.scrapeLimits", () => {
    it("defaults far above today's series, per job", () => {
        const defaults = parseStackConfig("dev", {}).stella.scrapeLimits;
        for (const limits of [defaults.backend, defaults.agents])
            assert.deepEqual(limits, { samples: 5000, labels: 30, labelNameLength: 128, labelValueLength: 256 });
    });

    it("refuses what is not a positive whole number, naming the key", () => {
        for (const [value, message] of [
            [0, "stella.scrapeLimits.backend.samples: expected more than 0, got 0"],
            [2.5, "stella.scrapeLimits.backend.samples: expected a whole number, got 2.5"],
            ["many", 'stella.scrapeLimits.backend.samples: expected a number, got "many"'],
        ] as const)
            assert.throws(
                () => parseStackConfig("dev", stella({ scrapeLimits: { backend: { samples: value } } })),
                (error: Error) => error.message.includes(message),
                String(value),
            );
        assert.throws(
            () => parseStackConfig("dev", stella({ scrapeLimits: { agents: { labelValueLenght: 10 } } })),
            /stella\.scrapeLimits\.agents\.labelValueLenght: unknown key \(did you mean "labelValueLength"\?\)/,
        );
        // `pulumi config set --path` stores a number as text.
        assert.equal(
            parseStackConfig("dev", stella({ scrapeLimits: { backend: { samples: "800" } } })).stella.scrapeLimits
                .backend.samples,
            800,
        );
    });

    it("become the PodMonitor's sampleLimit and label limits", () => {
        const monitor = podMonitor("stella-agents", "ai-agents", { app: "a" }, 8000, "/metrics", "15s", undefined, {
            samples: 10000,
            labels: 31,
            labelNameLength: 129,
            labelValueLength: 257,
        });
        assert.deepEqual(
            [monitor.sampleLimit, monitor.labelLimit, monitor.labelNameLengthLimit, monitor.labelValueLengthLimit],
            [10000, 31, 129, 257],
        );
    });
});

/** A STELLA target's labels, as the operator's PodMonitor jobs give them. */
function target(job: string, pod: string): string {
    const port = job === "stella-backend" ? "3000" : "8000";
    return `{job="${job}", namespace="ai-agents", pod="${pod}", container="${job}", endpoint="${port}", instance="10.0.0.${pod.length}:${port}"}`;
}

function targetLabels(job: string, pod: string): Record<string, string> {
    const port = job === "stella-backend" ? "3000" : "8000";
    return {
        job,
        namespace: "ai-agents",
        pod,
        container: job,
        endpoint: port,
        instance: `10.0.0.${pod.length}:${port}`,
    };
}

/** One target's three report series over 15 minutes of one-minute scrapes. */
function scrapes(job: string, pod: string, up: number, scraped: number, postRelabeling: number) {
    return [
        { series: `up${target(job, pod)}`, values: `${up}x15` },
        { series: `scrape_samples_scraped${target(job, pod)}`, values: `${scraped}x15` },
        { series: `scrape_samples_post_metric_relabeling${target(job, pod)}`, values: `${postRelabeling}x15` },
    ];
}

function expected(name: string, labels: Record<string, string>, description: string) {
    const { severity = "", service = "" } = rule(name).labels ?? {};
    const { summary = "", runbook_url = "", dashboard_url = "" } = rule(name).annotations ?? {};
    const filled = summary
        .replace("{{ $labels.job }}", labels.job ?? "")
        .replace("{{ $labels.namespace }}", labels.namespace ?? "")
        .replace("{{ $labels.pod }}", labels.pod ?? "");
    return {
        exp_labels: { ...labels, severity, service },
        exp_annotations: { summary: filled, description, runbook_url, dashboard_url },
    };
}

describe("the scrape-limit alerts, under promtool", () => {
    it("warn near a job's own sample limit and page when a pod's scrapes are refused, naming the pod", () => {
        assert.ok(group, "no group stella-scrape-limits");
        const near = targetLabels("stella-backend", "session-management-server-a1");
        const refused = targetLabels("stella-backend", "session-management-server-c3");
        const labelLimited = targetLabels("stella-agents", "stella-agent-e5");
        const series = [
            // 82% of the backend's 5000: warns after 10 minutes.
            ...scrapes("stella-backend", "session-management-server-a1", 1, 4100, 4100),
            // 60%: silent.
            ...scrapes("stella-backend", "session-management-server-b2", 1, 3000, 3000),
            // Over the sample limit: up 0, every sample still counted. Pages, and does not warn.
            ...scrapes("stella-backend", "session-management-server-c3", 0, 5200, 5200),
            // Unreachable: no sample read. Not a limit (StellaBackendDown's).
            ...scrapes("stella-backend", "session-management-server-d4", 0, 0, 0),
            // Over a label limit: the scrape stops at the offending series. Pages.
            ...scrapes("stella-agents", "stella-agent-e5", 0, 70, 12),
            // 4100 of the agents' 10000: 41%, silent (the backend's 5000 would warn).
            ...scrapes("stella-agents", "stella-agent-f6", 1, 4100, 4100),
        ];
        const nearDescription =
            "ai-agents/session-management-server-a1 (job stella-backend) exposes 82% of its sample limit, 5000 " +
            "(stella.scrapeLimits.backend.samples). At 100% Prometheus rejects its scrapes and all its metrics are " +
            "lost: look for a label with unbounded values (a user id, a prompt).";
        const refusedDescription = (value: number, pod: string, job: string, limits: string) =>
            `Prometheus reads ${value} samples from ai-agents/${pod} (job ${job}) and refuses the scrape: it is over ` +
            `a scrape limit (per scrape: ${limits}) or its metrics do not parse. None of its metrics are stored; ` +
            "the target's last error on Prometheus' Targets page says which.";
        const limits = (samples: number, key: string) =>
            `${samples} samples, 30 labels per series, label names of 128 and values of 256 characters (stella.scrapeLimits.${key})`;
        const tests = {
            rule_files: ["rules.yaml"],
            evaluation_interval: "1m",
            tests: [
                {
                    interval: "1m",
                    input_series: series,
                    alert_rule_test: [
                        { eval_time: "9m", alertname: "StellaScrapeSamplesNearLimit", exp_alerts: [] },
                        {
                            eval_time: "11m",
                            alertname: "StellaScrapeSamplesNearLimit",
                            exp_alerts: [expected("StellaScrapeSamplesNearLimit", near, nearDescription)],
                        },
                        { eval_time: "0m", alertname: "StellaScrapeRejected", exp_alerts: [] },
                        {
                            eval_time: "2m",
                            alertname: "StellaScrapeRejected",
                            exp_alerts: [
                                expected(
                                    "StellaScrapeRejected",
                                    refused,
                                    refusedDescription(
                                        5200,
                                        refused.pod ?? "",
                                        "stella-backend",
                                        limits(5000, "backend"),
                                    ),
                                ),
                                expected(
                                    "StellaScrapeRejected",
                                    labelLimited,
                                    refusedDescription(
                                        70,
                                        labelLimited.pod ?? "",
                                        "stella-agents",
                                        limits(10000, "agents"),
                                    ),
                                ),
                            ],
                        },
                    ],
                },
            ],
        };
        promtoolTestRules({ "rules.yaml": { groups: [group] }, "tests.yaml": tests }, "tests.yaml");
    });
});
