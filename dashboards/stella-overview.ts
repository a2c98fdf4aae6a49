// "STELLA Overview": the seed's dashboard (docs/design.md) with its
// four panels, on current panel types (Grafana removed `graph`), the latency heatmap's buckets summed
// by le across pods; above them, what is firing right now, each alert linked to its runbook.

import * as common from "@grafana/grafana-foundation-sdk/common";
import * as heatmap from "@grafana/grafana-foundation-sdk/heatmap";
import * as prometheus from "@grafana/grafana-foundation-sdk/prometheus";
import * as table from "@grafana/grafana-foundation-sdk/table";
import { type DashboardContext, type DashboardModel } from "./model";
import {
    activeSessionsStat,
    errorRatePanel,
    heatmapAxis,
    heatmapQuery,
    promQuery,
    size,
    stellaDashboard,
    timeSeriesPanel,
} from "./panels";
import { backendRecords, dashboardUids, overviewPanels } from "../catalogue";

/** The queries, apart from layout. */
export function overviewQueries(context: DashboardContext) {
    const { metrics } = context;
    return {
        activeSessions: backendRecords.sessionsActive,
        requestRate: backendRecords.requestRate5m,
        errorRate: backendRecords.errorRatio("5m"),
        latencyHeatmap: `sum by (le) (rate(${metrics.httpRequestDuration}_bucket[$__rate_interval]))`,
        // One row per firing STELLA alert (not kube-prometheus-stack's own: their runbooks live elsewhere).
        firingAlerts: `max by (alertname, severity, service) (ALERTS{alertstate="firing", alertname=~"${context.stellaAlerts.join("|")}"})`,
    };
}

/**
 * The URL of an alert's runbook inside a data link of the alertname column: the same
 * <runbookBaseUrl>/<AlertName>.md that every STELLA alert carries as its runbook_url annotation.
 */
export function runbookLink(runbookBaseUrl: string): string {
    return `${runbookBaseUrl.replace(/\/+$/, "")}/\${__value.raw}.md`;
}

/**
 * What pages, first on the on-call's screen. A table over Prometheus' ALERTS series rather than the
 * alert list panel: in Grafana 13 the alert list shows Grafana Alerting's rules (its own, or those
 * it reads from a data source's ruler), not the alerts held by an external Alertmanager, and it gives
 * no runbook link. ALERTS carries each firing alert's labels (not its annotations), so the runbook
 * link is built from alertname exactly as the rules build runbook_url. Silences live in Grafana's
 * Alerting pages, on the Alertmanager data source.
 */
function firingAlertsPanel(context: DashboardContext, expr: string): table.PanelBuilder {
    return new table.PanelBuilder()
        .id(overviewPanels.firingAlerts)
        .title("Firing alerts")
        .description(
            "STELLA's alerts firing now, critical first (critical pages PagerDuty). The alert name opens its runbook.",
        )
        .withTarget(promQuery(expr, "").instant().format(prometheus.PromQueryFormat.Table))
        .withTransformation({
            id: "organize",
            options: {
                excludeByName: { Time: true, Value: true },
                indexByName: { severity: 0, alertname: 1, service: 2 },
                renameByName: { alertname: "Alert", severity: "Severity", service: "Service" },
            },
        })
        .sortBy([new common.TableSortByFieldStateBuilder().displayName("Severity").desc(false)])
        .noValue("Nothing is firing")
        .overrideByName("alertname", [
            {
                id: "links",
                value: [{ title: "Runbook", url: runbookLink(context.runbookBaseUrl), targetBlank: true }],
            },
        ])
        .overrideByName("severity", [
            {
                id: "mappings",
                value: [
                    {
                        type: "value",
                        options: {
                            critical: { color: "red", index: 0 },
                            warning: { color: "orange", index: 1 },
                            info: { color: "blue", index: 2 },
                        },
                    },
                ],
            },
            { id: "custom.cellOptions", value: { type: "color-background" } },
        ])
        .gridPos(size(24, 7));
}

export function stellaOverviewDashboard(context: DashboardContext): DashboardModel {
    const queries = overviewQueries(context);
    return stellaDashboard(
        dashboardUids.overview,
        "STELLA Overview",
        "The seed's overview: sessions, traffic, errors and latency of the backend.",
        "stella-.*",
    )
        .withPanel(firingAlertsPanel(context, queries.firingAlerts))
        .withPanel(
            activeSessionsStat({
                id: overviewPanels.activeSessions,
                title: "Active Sessions",
                description: "Sessions open right now, summed over backend replicas.",
                expr: queries.activeSessions,
                threshold: context.thresholds.activeSessions,
            }),
        )
        .withPanel(
            timeSeriesPanel({
                id: overviewPanels.requestRate,
                title: "Request Rate",
                description: "Backend HTTP requests per second.",
                expr: queries.requestRate,
                legend: "requests/s",
                unit: "reqps",
                width: 9,
            }),
        )
        .withPanel(
            errorRatePanel({
                id: overviewPanels.errorRate,
                title: "Error Rate",
                description: "Share of backend requests answered with a 5xx; HighErrorRate pages above the red line.",
                expr: queries.errorRate,
                threshold: context.thresholds.errorRate,
            }),
        )
        .withPanel(
            new heatmap.PanelBuilder()
                .id(overviewPanels.latency)
                .title("Response Latency")
                .description(
                    "Distribution of backend request latency; buckets summed over all pods. Exemplars link to traces.",
                )
                .withTarget(heatmapQuery(queries.latencyHeatmap).exemplar(true))
                .calculate(false)
                .yAxis(heatmapAxis("s"))
                .cellGap(1)
                .gridPos(size(24, 9)),
        )
        .build() as unknown as DashboardModel;
}
