// The cardinality guards on "STELLA Infrastructure": STELLA's samples per scrape against each job's
// sample limit (stella.scrapeLimits), the series per job, the log streams per app and Loki's streams
// per ingester against its limit (loki.limits.maxGlobalStreams). The panels draw the limits the alerts
// compare with, from the same config, and the alerts' dashboard links open them.

import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { parseStackConfig } from "../config";
import { alertNames, rulesContext, stellaRuleGroups, type Rule, type RuleGroup } from "../alerts/rules";
import { infrastructureDashboard } from "../dashboards/infrastructure";
import { dashboardContext, type DashboardModel, type PanelModel } from "../dashboards/model";
import { dashboardUids, datasourceUids, infrastructurePanels } from "../catalogue";
import { builtStacks, panelsOf } from "./support/dashboard-stacks";
import { loadQueryParsers, parseErrors } from "./support/query-parsers";

/** A panel's thresholds drawn as lines: green, orange from the warning, red from the limit. */
const warningAndLimitLines = (warning: number, limit: number) => ({
    steps: [
        { value: null, color: "green" },
        { value: warning, color: "orange" },
        { value: limit, color: "red" },
    ],
    lines: true,
});

before(loadQueryParsers);

interface Threshold {
    readonly value: number | null;
    readonly color: string;
}

const cardinalityPanels = {
    [infrastructurePanels.scrapeSampleShare]: "Samples per scrape, share of the job's limit",
    [infrastructurePanels.samplesPerJob]: "Series per STELLA job",
    [infrastructurePanels.logStreamsPerApp]: "Log streams per app (all namespaces)",
    [infrastructurePanels.lokiIngesterStreams]: "Loki active streams per ingester",
};

function panel(dashboard: DashboardModel, id: number): PanelModel {
    const found = panelsOf(dashboard).find((candidate) => candidate.id === id);
    assert.ok(found, `no panel ${id} on ${dashboard.uid}`);
    return found;
}

function expressions(shown: PanelModel): string[] {
    return (shown.targets ?? []).map((target) => String(target.expr));
}

/** The panel's threshold steps and whether they are drawn as lines. */
function thresholdsOf(shown: PanelModel): { steps: Threshold[]; lines: boolean } {
    const defaults = (shown.fieldConfig as { defaults: Record<string, unknown> }).defaults;
    const steps = (defaults.thresholds as { steps: Threshold[] } | undefined)?.steps ?? [];
    const style = (defaults.custom as { thresholdsStyle?: { mode: string } } | undefined)?.thresholdsStyle;
    return { steps, lines: style?.mode === "line" };
}

function alert(groups: readonly RuleGroup[], name: string): Rule {
    const found = groups.flatMap((group) => group.rules).find((rule) => rule.alert === name);
    assert.ok(found, `no alert ${name}`);
    return found;
}

describe("cardinality panels", () => {
    for (const { stack, dashboards, rules } of builtStacks()) {
        describe(stack, () => {
            const infrastructure = dashboards.find((d) => d.uid === dashboardUids.infrastructure) as DashboardModel;

            it("shows samples per scrape, series per job, streams per app and Loki's streams", () => {
                for (const [id, title] of Object.entries(cardinalityPanels))
                    assert.equal(panel(infrastructure, Number(id)).title, title);
                const samples = expressions(panel(infrastructure, infrastructurePanels.samplesPerJob));
                assert.deepEqual(
                    samples.map((expr) => /^(\w+) by \(job\)/.exec(expr)?.[1]),
                    ["sum", "max"],
                    samples.join("\n"),
                );
            });

            it("queries Loki in LogQL and Prometheus in PromQL, and every query parses", () => {
                for (const id of Object.keys(cardinalityPanels).map(Number)) {
                    const shown = panel(infrastructure, id);
                    const loki = (shown.datasource?.uid ?? shown.targets?.[0]?.datasource?.uid) === datasourceUids.loki;
                    assert.equal(loki, id === infrastructurePanels.logStreamsPerApp, String(shown.title));
                    for (const text of expressions(shown))
                        assert.deepEqual(
                            parseErrors({ where: String(shown.title), language: loki ? "logql" : "promql", text }),
                            [],
                        );
                }
                // A query that does not parse is caught: the check is not vacuous.
                assert.notDeepEqual(parseErrors({ where: "broken", language: "logql", text: "count by (app) ({" }), []);
            });

            it("links the scrape and stream alerts to the panels that show what they compare", () => {
                const link = (name: string) => alert(rules, name).annotations?.dashboard_url ?? "";
                for (const name of ["StellaScrapeSamplesNearLimit", "StellaScrapeRejected"])
                    assert.match(
                        link(name),
                        new RegExp(
                            `/d/${dashboardUids.infrastructure}\\?viewPanel=${infrastructurePanels.scrapeSampleShare}&var-namespace=ai-agents$`,
                        ),
                        name,
                    );
                assert.match(
                    link("LokiStreamsNearLimit"),
                    new RegExp(
                        `/d/${dashboardUids.infrastructure}\\?viewPanel=${infrastructurePanels.lokiIngesterStreams}$`,
                    ),
                );
            });
        });
    }

    describe("on a stack with its own limits", () => {
        const entry = (value: unknown) => ({ value, secret: false });
        const config = parseStackConfig("dev", {
            stella: entry({ scrapeLimits: { backend: { samples: 2000 }, agents: { samples: 12000 } } }),
            loki: entry({ limits: { maxGlobalStreams: 7000 } }),
            alloy: entry({ labels: ["namespace", "pod", "container", "app", "level", "agent_type"] }),
        });
        const rules = stellaRuleGroups(rulesContext(config));
        const infrastructure = infrastructureDashboard(dashboardContext(config, alertNames(rules)));

        it("divides each pod's samples by its own job's limit, as the alert does, and draws 80% and 100%", () => {
            const shown = panel(infrastructure, infrastructurePanels.scrapeSampleShare);
            const [share] = expressions(shown);
            assert.equal(
                share,
                'scrape_samples_post_metric_relabeling{job="stella-backend", namespace="$namespace"} / 2000 or ' +
                    'scrape_samples_post_metric_relabeling{job="stella-agents", namespace="$namespace"} / 12000',
            );
            const nearLimit = alert(rules, "StellaScrapeSamplesNearLimit").expr;
            assert.ok(
                nearLimit.startsWith(
                    `(${String(share).replaceAll('"$namespace"', `"${config.stella.namespace}"`)}) >= 0.8`,
                ),
                nearLimit,
            );
            assert.deepEqual(thresholdsOf(shown), warningAndLimitLines(0.8, 1));
            assert.match(String(shown.description), /stella-backend 2000 .*stella-agents 12000/);
        });

        it("draws the ingester's stream limit the alert divides by", () => {
            const shown = panel(infrastructure, infrastructurePanels.lokiIngesterStreams);
            assert.match(alert(rules, "LokiStreamsNearLimit").expr, /\/ 7000 > 0\.8$/);
            assert.deepEqual(thresholdsOf(shown), warningAndLimitLines(5600, 7000));
        });

        it("counts a stream per set of the labels Alloy promotes, extra labels included", () => {
            const [streams] = expressions(panel(infrastructure, infrastructurePanels.logStreamsPerApp));
            assert.equal(
                streams,
                'count by (app) (count by (namespace, pod, container, app, level, agent_type) (count_over_time({namespace=~".+"} [$__auto])))',
            );
        });
    });
});
