// "STELLA System Overview" (docs/design.md): active sessions, request
// rate, error rate and average latency of the backend, by status and route where it helps.

import * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";
import { type DashboardContext, type DashboardModel } from "./model";
import { namespaceVariable, promQuery, statPanel, stellaDashboard, thresholdLines, thresholds } from "./panels";
import { backendRecords, dashboardUids, healthProbeJob, systemPanels } from "../catalogue";

export function systemQueries(context: DashboardContext) {
    const { metrics } = context;
    const scope = `namespace="$namespace"`;
    return {
        activeSessions: `sum(${metrics.sessionsActive}{${scope}})`,
        requestRateByStatus: `sum by (${metrics.statusLabel}) (rate(${metrics.httpRequestsTotal}{${scope}}[$__rate_interval]))`,
        errorRate: backendRecords.errorRatio("5m"),
        averageLatency: `sum(rate(${metrics.httpRequestDuration}_sum{${scope}}[$__rate_interval])) / sum(rate(${metrics.httpRequestDuration}_count{${scope}}[$__rate_interval]))`,
        p95Latency: backendRecords.latencyP95,
        sessionsCreated: `sum(rate(stella_sessions_created_total{${scope}}[$__rate_interval])) * 60`,
        healthProbes: `probe_success{job="${healthProbeJob}", ${scope}}`,
    };
}

export function systemOverviewDashboard(context: DashboardContext): DashboardModel {
    const queries = systemQueries(context);
    return stellaDashboard(
        dashboardUids.system,
        "STELLA System Overview",
        "The backend at a glance: sessions, traffic, errors, latency.",
        "stella-backend",
    )
        .withVariable(namespaceVariable(context.stellaNamespace))
        .withPanel(
            statPanel()
                .id(systemPanels.activeSessions)
                .title("Active sessions")
                .withTarget(promQuery(queries.activeSessions, "sessions"))
                .unit("short")
                .decimals(0)
                .thresholds(thresholds(context.thresholds.activeSessions))
                .gridPos({ x: 0, y: 0, w: 6, h: 8 }),
        )
        .withPanel(
            new timeseries.PanelBuilder()
                .id(systemPanels.requestRate)
                .title("Request rate by status")
                .withTarget(promQuery(queries.requestRateByStatus, `{{${context.metrics.statusLabel}}}`))
                .unit("reqps")
                .min(0)
                .gridPos({ x: 6, y: 0, w: 9, h: 8 }),
        )
        .withPanel(
            new timeseries.PanelBuilder()
                .id(systemPanels.errorRate)
                .title("Error rate (5xx share)")
                .description("HighErrorRate fires above the red line.")
                .withTarget(promQuery(queries.errorRate, "5xx share"))
                .unit("percentunit")
                .min(0)
                .thresholds(thresholds(context.thresholds.errorRate))
                .thresholdsStyle(thresholdLines())
                .gridPos({ x: 15, y: 0, w: 9, h: 8 }),
        )
        .withPanel(
            new timeseries.PanelBuilder()
                .id(systemPanels.averageLatency)
                .title("Latency: average and p95")
                .description("HighLatency fires when p95 stays above the red line.")
                .withTarget(promQuery(queries.averageLatency, "average"))
                .withTarget(promQuery(queries.p95Latency, "p95", "B"))
                .unit("s")
                .min(0)
                .thresholds(thresholds(context.thresholds.latencyP95Seconds))
                .thresholdsStyle(thresholdLines())
                .gridPos({ x: 0, y: 8, w: 15, h: 8 }),
        )
        .withPanel(
            new timeseries.PanelBuilder()
                .id(systemPanels.sessionsCreated)
                .title("Sessions created per minute")
                .withTarget(promQuery(queries.sessionsCreated, "sessions/min"))
                .unit("short")
                .min(0)
                .gridPos({ x: 15, y: 8, w: 9, h: 8 }),
        )
        .withPanel(
            new timeseries.PanelBuilder()
                .id(systemPanels.healthProbes)
                .title("Health probes per pod")
                .description(
                    "1: the pod answers /health (liveness) or /health/ready (readiness, checks the database); 0: it fails.",
                )
                .withTarget(promQuery(queries.healthProbes, "{{pod}} {{probe}}"))
                .min(0)
                .max(1)
                .gridPos({ x: 0, y: 16, w: 24, h: 7 }),
        )
        .build() as unknown as DashboardModel;
}
