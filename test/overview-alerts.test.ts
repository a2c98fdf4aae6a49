// The Overview's firing-alerts table: first on the screen, read from Prometheus' ALERTS, exactly
// STELLA's firing alerts (as promtool evaluates the query), each linked to its runbook.

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { type DashboardModel, type PanelModel } from "../dashboards/model";
import { dashboardUids, datasourceUids, overviewPanels } from "../catalogue";
import { built, panelsOf, registeredDataSourceUids, root } from "./support/dashboard-stacks";
import { assertPromtoolTestPasses } from "./support/tools";
import { loadQueryParsers, parseErrors } from "./support/query-parsers";

before(loadQueryParsers);

describe("the Overview's firing alerts", () => {
    const { dashboards, rules, runbookBaseUrl } = built("prod");
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
        const registered = registeredDataSourceUids();
        assert.ok(registered.has(target.datasource?.uid ?? ""), `unknown data source ${target.datasource?.uid}`);
        assert.ok(registered.has(datasourceUids.alertmanager), "no Alertmanager data source");
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
        assertPromtoolTestPasses({
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
        });
    });
});
