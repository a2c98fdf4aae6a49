// Dashboards and rules as data: every PromQL and LogQL query parses with the real parsers (the ones
// Prometheus' and Grafana's editors use), every metric a query reads is documented in docs/metrics.md
// or is a recording rule, every panel refers to a data source the stack registers, uids are unique,
// and two renders give identical bytes.

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { alertNames } from "../alerts/rules";
import { type DashboardModel } from "../dashboards/model";
import { dashboardUids, datasourceUids } from "../catalogue";
import { builtStacks, panelsOf, registeredDataSourceUids, root } from "./support/dashboard-stacks";
import { loadQueryParsers, metricsRead, parseErrors, type Query } from "./support/query-parsers";
import { renderToDirectory } from "./support/render";

before(loadQueryParsers);

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
    const stacks = builtStacks();
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
                const registered = registeredDataSourceUids();
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
            const directory = join(renderToDirectory("dev"), "dashboards");
            return new Map(readdirSync(directory).map((file) => [file, readFileSync(join(directory, file), "utf8")]));
        };
        const first = render();
        const second = render();
        assert.equal(first.size, 6);
        assert.deepEqual(second, first);
    });
});
