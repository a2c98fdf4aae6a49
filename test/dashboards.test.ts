// Dashboards and rules as data: every PromQL and LogQL query parses with the real parsers (the ones
// Prometheus' and Grafana's editors use), every metric a query reads is documented in docs/metrics.md
// or is a recording rule, every panel refers to a data source the stack registers, uids are unique,
// and two renders give identical bytes.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, it } from "node:test";
import { before } from "node:test";
import { parseStackConfig, projectName, type RawEntry } from "../config";
import { alertNames, rulesContext, stellaRuleGroups } from "../components/alerting/rules";
import { grafanaDataSources } from "../components/grafana-datasources";
import { stellaDashboards } from "../dashboards";
import { type DashboardModel, type PanelModel } from "../dashboards/model";
import { stringify } from "yaml";
import { readOfflineConfig } from "../tools/offline-config";
import { canaryOverrides } from "./stack-harness";
import { temporaryDirectory } from "./temporary";
import { dashboardUids, datasourceUids, overviewPanels } from "../catalogue";

// The parsers are ESM-only; loaded once before the tests.
type Parser = { parse(text: string): { iterate(spec: { enter(node: SyntaxNodeRef): void }): void } };
interface SyntaxNodeRef {
    readonly name: string;
    readonly from: number;
    readonly to: number;
    readonly type: { readonly name: string; readonly isError: boolean };
    readonly node: { getChild(name: string): { from: number; to: number } | null };
}
let promqlParser: Parser;
let logqlParser: Parser;
before(async () => {
    promqlParser = (await import("@prometheus-io/lezer-promql")).parser;
    logqlParser = (await import("@grafana/lezer-logql")).parser;
});

const root = resolve(__dirname, "..");
/** Each stack's dashboards and rules, built from its stack file (with canary secrets) as the program builds them. */
function built(stack: string) {
    const { config: raw, secretKeys } = readOfflineConfig(root, stack, stack === "dev" ? [] : canaryOverrides);
    const entries: Record<string, RawEntry> = {};
    for (const [key, text] of Object.entries(raw)) {
        if (!key.startsWith(`${projectName}:`)) continue;
        entries[key.slice(projectName.length + 1)] = {
            value: JSON.parse(text) as unknown,
            secret: secretKeys.includes(key),
        };
    }
    const config = parseStackConfig(stack, entries);
    const rules = stellaRuleGroups(rulesContext(config));
    return {
        dashboards: stellaDashboards({
            stellaNamespace: config.stella.namespace,
            monitoringNamespace: config.kubernetes.namespace,
            metrics: config.stella.metrics,
            thresholds: config.alerting.thresholds,
            slo: config.slo,
            runbookBaseUrl: config.alerting.runbookBaseUrl,
            stellaAlerts: alertNames(rules),
        }),
        rules,
        runbookBaseUrl: config.alerting.runbookBaseUrl,
    };
}

/** Grafana's variables are not PromQL/LogQL: put in what Grafana would before parsing. */
function interpolate(query: string): string {
    return query
        .replace(/\$__(rate_interval|interval|auto|range)/g, "5m")
        .replace(/\$\{?(\w+)(:\w+)?\}?/g, (_match, name: string) => `var_${name}`);
}

interface Query {
    readonly where: string;
    readonly language: "promql" | "logql";
    readonly text: string;
}

function panelsOf(dashboard: DashboardModel): PanelModel[] {
    return (dashboard.panels ?? []).flatMap((panel) => [panel, ...(panel.panels ?? [])]);
}

/** Every query of a dashboard: panel targets, annotations, and the selectors inside label_values(). */
function dashboardQueries(dashboard: DashboardModel): Query[] {
    const queries: Query[] = [];
    for (const panel of panelsOf(dashboard)) {
        for (const target of panel.targets ?? []) {
            const uid = target.datasource?.uid ?? panel.datasource?.uid;
            if (typeof target.expr !== "string") continue;
            const language = uid === datasourceUids.loki ? "logql" : "promql";
            queries.push({ where: `${dashboard.uid}/${String(panel.title)}`, language, text: target.expr });
        }
    }
    const annotations = (dashboard.annotations as { list?: { expr?: string; name: string }[] } | undefined)?.list ?? [];
    for (const annotation of annotations) {
        if (annotation.expr !== undefined)
            queries.push({
                where: `${dashboard.uid}/annotation ${annotation.name}`,
                language: "promql",
                text: annotation.expr,
            });
    }
    const variables =
        (dashboard.templating as { list?: { name: string; type: string; query?: unknown }[] } | undefined)?.list ?? [];
    for (const variable of variables) {
        if (variable.type !== "query" || typeof variable.query !== "string") continue;
        const match = /^label_values\((.+),\s*\w+\)$/.exec(variable.query);
        if (match?.[1] !== undefined)
            queries.push({ where: `${dashboard.uid}/$${variable.name}`, language: "promql", text: match[1] });
    }
    return queries;
}

function parseErrors(query: Query): string[] {
    const text = interpolate(query.text);
    const tree = (query.language === "promql" ? promqlParser : logqlParser).parse(text);
    const errors: string[] = [];
    tree.iterate({
        enter: (node) => {
            if (node.type.isError)
                errors.push(`${query.where}: ${query.language} error at ${node.from} in ${JSON.stringify(text)}`);
        },
    });
    return errors;
}

/** The metric names a PromQL query reads; a `__name__` regex comes back as a RegExp. */
function metricsRead(text: string): (string | RegExp)[] {
    const source = interpolate(text);
    const names: (string | RegExp)[] = [];
    promqlParser.parse(source).iterate({
        enter: (node) => {
            if (node.name === "VectorSelector") {
                const identifier = node.node.getChild("Identifier");
                if (identifier !== null) names.push(source.slice(identifier.from, identifier.to));
            }
            if (node.name === "UnquotedLabelMatcher") {
                const matcher = source.slice(node.from, node.to);
                const byName = /^__name__\s*(=~|=)\s*"(.*)"$/.exec(matcher);
                if (byName !== null)
                    names.push(byName[1] === "=" ? (byName[2] as string) : new RegExp(`^(?:${byName[2]})$`));
            }
        },
    });
    return names;
}

/** The metrics docs/metrics.md documents: the first column of its tables, histograms expanded. */
function documentedMetrics(): Set<string> {
    const text = readFileSync(join(root, "docs", "metrics.md"), "utf8");
    const names = new Set<string>();
    for (const match of text.matchAll(/^\|\s*`([a-zA-Z_:][\w:]*)`\s*\|\s*(\w+)\s*\|/gm)) {
        const [, name, type] = match as unknown as [string, string, string];
        names.add(name);
        if (type === "histogram") for (const suffix of ["_bucket", "_sum", "_count"]) names.add(`${name}${suffix}`);
    }
    return names;
}

describe("dashboards and rules as data", () => {
    const stacks = ["dev", "staging", "prod"].map((stack) => ({ stack, ...built(stack) }));
    const known = documentedMetrics();

    it("documents the metrics in docs/metrics.md", () => {
        for (const name of [
            "stella_http_requests_total",
            "stella_agent_tool_duration_seconds_bucket",
            "node_cpu_seconds_total",
        ]) {
            assert.ok(known.has(name), name);
        }
    });

    it("has every seed dashboard and panel, on current panel types", () => {
        const { dashboards } = stacks[0] as (typeof stacks)[number];
        const titles = (uid: string) =>
            panelsOf(dashboards.find((d) => d.uid === uid) as DashboardModel).map((p) => p.title);
        assert.deepEqual(titles(dashboardUids.overview), [
            "Firing alerts",
            "Active Sessions",
            "Request Rate",
            "Error Rate",
            "Response Latency",
        ]);
        assert.deepEqual(new Set(dashboards.map((d) => d.uid)), new Set(Object.values(dashboardUids)));
        for (const dashboard of dashboards) {
            for (const panel of panelsOf(dashboard))
                assert.notEqual(panel.type, "graph", `${dashboard.uid}/${String(panel.title)}`);
        }
    });

    for (const { stack, dashboards, rules } of stacks) {
        describe(stack, () => {
            const queries = [
                ...dashboards.flatMap(dashboardQueries),
                ...rules.flatMap((group) =>
                    group.rules.map((rule) => ({
                        where: `rule ${rule.alert ?? rule.record}`,
                        language: "promql" as const,
                        text: rule.expr,
                    })),
                ),
            ];
            const records = new Set(
                rules.flatMap((group) =>
                    group.rules.flatMap((rule) => (rule.record === undefined ? [] : [rule.record])),
                ),
            );

            it("parses every PromQL and LogQL query", () => {
                assert.ok(
                    queries.some((query) => query.language === "logql"),
                    "no LogQL query found",
                );
                assert.ok(queries.length > 40, `only ${queries.length} queries found`);
                assert.deepEqual(queries.flatMap(parseErrors), []);
            });

            it("reads only documented metrics and recording rules", () => {
                const unknown: string[] = [];
                for (const query of queries.filter((q) => q.language === "promql")) {
                    for (const name of metricsRead(query.text)) {
                        const ok =
                            typeof name === "string"
                                ? known.has(name) || records.has(name)
                                : [...known].some((candidate) => name.test(candidate));
                        if (!ok) unknown.push(`${query.where}: ${String(name)}`);
                    }
                }
                assert.deepEqual(unknown, []);
            });

            it("refers only to the data sources the stack registers", () => {
                const registered = new Set(
                    grafanaDataSources({
                        urls: { prometheus: "p", loki: "l", jaeger: "j", alertmanager: "a" },
                        traceLogNamespaces: ["ai-agents"],
                        scrapeInterval: "15s",
                    }).map((source) => source.uid),
                );
                for (const dashboard of dashboards) {
                    for (const panel of panelsOf(dashboard)) {
                        for (const ref of [
                            panel.datasource,
                            ...(panel.targets ?? []).map((target) => target.datasource),
                        ]) {
                            if (ref !== undefined)
                                assert.ok(
                                    registered.has(ref.uid),
                                    `${dashboard.uid}/${String(panel.title)}: ${ref.uid}`,
                                );
                        }
                    }
                }
            });

            it("gives every dashboard a unique uid and every panel a unique id", () => {
                assert.equal(new Set(dashboards.map((d) => d.uid)).size, dashboards.length);
                for (const dashboard of dashboards) {
                    const ids = panelsOf(dashboard).map((panel) => panel.id);
                    assert.ok(
                        ids.every((id) => typeof id === "number"),
                        dashboard.uid,
                    );
                    assert.equal(new Set(ids).size, ids.length, dashboard.uid);
                }
            });

            it("links every alert to a panel that exists", () => {
                const byUid = new Map(dashboards.map((dashboard) => [dashboard.uid, dashboard]));
                for (const group of rules) {
                    for (const rule of group.rules.filter((r) => r.alert !== undefined)) {
                        const link = /\/d\/([\w-]+)\?viewPanel=(\d+)(&var-[\w-]+=[^&]*)*$/.exec(
                            rule.annotations?.dashboard_url ?? "",
                        );
                        assert.ok(link, `${String(rule.alert)} has no panel link`);
                        const panels = panelsOf(byUid.get(link[1] as string) as DashboardModel);
                        assert.ok(
                            panels.some((panel) => panel.id === Number(link[2])),
                            `${String(rule.alert)} links to a missing panel`,
                        );
                    }
                }
                assert.ok(alertNames(rules).length > 10);
            });

            it("draws the alert thresholds from the same config as the alerts", () => {
                const system = dashboards.find((d) => d.uid === dashboardUids.system) as DashboardModel;
                const errorPanel = panelsOf(system).find((panel) => panel.title === "Error rate (5xx share)");
                const steps = (
                    errorPanel?.fieldConfig as { defaults: { thresholds: { steps: { value: number | null }[] } } }
                ).defaults.thresholds.steps;
                assert.equal(steps.at(-1)?.value, 0.05);
                const rule = rules.flatMap((g) => g.rules).find((r) => r.alert === "HighErrorRate");
                assert.match(rule?.expr ?? "", /> 0\.05$/);
            });
        });
    }

    describe("the Overview's firing alerts", () => {
        const { dashboards, rules, runbookBaseUrl } = stacks.find((s) => s.stack === "prod") as (typeof stacks)[number];
        const overview = dashboards.find((d) => d.uid === dashboardUids.overview) as DashboardModel;
        const panel = panelsOf(overview).find((p) => p.id === overviewPanels.firingAlerts) as PanelModel;
        const target = panel.targets?.[0] as {
            expr: string;
            instant?: boolean;
            format?: string;
            datasource?: { uid: string };
        };
        const alerts = rules.flatMap((group) => group.rules.filter((rule) => rule.alert !== undefined));
        type Link = { url: string; title: string };
        const links =
            (
                panel.fieldConfig as {
                    overrides: { matcher: { options: string }; properties: { id: string; value: Link[] }[] }[];
                }
            ).overrides
                .find((override) => override.matcher.options === "alertname")
                ?.properties.find((property) => property.id === "links")?.value ?? [];

        it("is the first thing on the screen: a table across the top, read from Prometheus, a query that parses", () => {
            assert.equal(panel.type, "table");
            assert.deepEqual(panel.gridPos, { x: 0, y: 0, w: 24, h: 7 });
            const others = panelsOf(overview).filter((p) => p !== panel);
            assert.ok(
                others.every((p) => (p.gridPos as { y: number }).y >= 7),
                "a panel overlaps the alerts",
            );
            assert.equal(target.instant, true);
            assert.equal(target.format, "table");
            assert.deepEqual(parseErrors({ where: "firing alerts", language: "promql", text: target.expr }), []);
            const registered = grafanaDataSources({
                urls: { prometheus: "p", loki: "l", jaeger: "j", alertmanager: "a" },
                traceLogNamespaces: ["ai-agents"],
                scrapeInterval: "15s",
            }).map((source) => source.uid);
            assert.ok(
                registered.includes(target.datasource?.uid ?? ""),
                `unknown data source ${target.datasource?.uid}`,
            );
            assert.ok(registered.includes(datasourceUids.alertmanager), "no Alertmanager data source");
        });

        it("links each alert to its runbook: the rule's own runbook_url, a page in docs/runbooks", () => {
            assert.equal(links.length, 1, "one data link on the alert name");
            const link = links[0] as Link;
            assert.ok(alerts.length > 10);
            for (const rule of alerts) {
                const url = link.url.replace("${__value.raw}", rule.alert as string);
                assert.equal(
                    url,
                    rule.annotations?.runbook_url,
                    `${String(rule.alert)}: the link differs from runbook_url`,
                );
                assert.ok(url.startsWith(`${runbookBaseUrl.replace(/\/+$/, "")}/`));
                const page = url.slice(runbookBaseUrl.replace(/\/+$/, "").length + 1);
                assert.ok(existsSync(join(root, "docs", "runbooks", page)), `docs/runbooks/${page} does not exist`);
            }
        });

        it("shows exactly STELLA's firing alerts, as Prometheus evaluates the query (promtool)", () => {
            // ALERTS as Prometheus writes it: one series per alert and state. kube-prometheus-stack's
            // Watchdog fires always; a pending STELLA alert is not paging yet.
            const stella = alerts.map((rule) => rule.alert as string);
            const firing = [stella[0], stella[stella.length - 1]] as string[];
            const series = (name: string, state: string, severity: string, service: string) => ({
                series: `ALERTS{alertname="${name}", alertstate="${state}", severity="${severity}", service="${service}", pod="p-1"}`,
                values: "1x5",
            });
            const dir = mkdtempSync(join(tmpdir(), "firing-alerts-"));
            try {
                writeFileSync(
                    join(dir, "test.yaml"),
                    stringify({
                        rule_files: [],
                        evaluation_interval: "1m",
                        tests: [
                            {
                                interval: "1m",
                                input_series: [
                                    ...firing.map((name) => series(name, "firing", "critical", "stella-backend")),
                                    series(stella[1] as string, "pending", "warning", "stella-backend"),
                                    series("Watchdog", "firing", "none", "kube-prometheus-stack"),
                                    series("KubePodCrashLooping", "firing", "warning", "loki"),
                                ],
                                promql_expr_test: [
                                    {
                                        expr: target.expr,
                                        eval_time: "2m",
                                        exp_samples: firing.map((name) => ({
                                            labels: `{alertname="${name}", severity="critical", service="stella-backend"}`,
                                            value: 1,
                                        })),
                                    },
                                ],
                            },
                        ],
                    }),
                );
                const result = spawnSync("promtool", ["test", "rules", join(dir, "test.yaml")], { encoding: "utf8" });
                assert.equal(result.error, undefined, "promtool is installed");
                assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
            } finally {
                rmSync(dir, { recursive: true, force: true });
            }
        });
    });

    it("reduces every stat panel to its last non-null value, so a scrape gap still shows a number", () => {
        // Grafana falls back to `last` when calcs is empty: one missing sample and the stat shows "No data".
        let statPanels = 0;
        for (const { stack, dashboards } of stacks) {
            for (const dashboard of dashboards) {
                for (const panel of panelsOf(dashboard).filter((p) => p.type === "stat")) {
                    statPanels += 1;
                    const calcs = (panel.options as { reduceOptions?: { calcs?: string[] } } | undefined)?.reduceOptions
                        ?.calcs;
                    assert.deepEqual(calcs, ["lastNotNull"], `${stack} ${dashboard.uid}: ${panel.title}`);
                }
            }
        }
        assert.ok(statPanels >= 3, `found ${statPanels} stat panels`);
    });

    it("renders byte-identical dashboards twice", () => {
        const render = () => {
            const out = temporaryDirectory("render-twice-");
            const result = spawnSync(
                join(root, "node_modules", ".bin", "tsx"),
                ["tools/render.ts", "--stack", "dev", "--out", out],
                { cwd: root, encoding: "utf8" },
            );
            assert.equal(result.status, 0, result.stderr);
            const directory = join(out, "dev", "dashboards");
            return new Map(readdirSync(directory).map((file) => [file, readFileSync(join(directory, file), "utf8")]));
        };
        const first = render();
        const second = render();
        assert.equal(first.size, 6);
        assert.deepEqual(second, first);
    });
});
