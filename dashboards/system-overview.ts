// "STELLA System Overview" (docs/design.md): active sessions, request
// rate, error rate and average latency of the backend, by status and route where it helps.

import { type DashboardContext, type DashboardModel } from "./model";
import {
    activeSessionsStat,
    errorRatePanel,
    namespaceVariable,
    promQuery,
    stellaDashboard,
    timeSeriesPanel,
} from "./panels";
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
            activeSessionsStat({
                id: systemPanels.activeSessions,
                title: "Active sessions",
                expr: queries.activeSessions,
                threshold: context.thresholds.activeSessions,
            }),
        )
        .withPanel(
            timeSeriesPanel({
                id: systemPanels.requestRate,
                title: "Request rate by status",
                expr: queries.requestRateByStatus,
                legend: `{{${context.metrics.statusLabel}}}`,
                unit: "reqps",
                width: 9,
            }),
        )
        .withPanel(
            errorRatePanel({
                id: systemPanels.errorRate,
                title: "Error rate (5xx share)",
                description: "HighErrorRate fires above the red line.",
                expr: queries.errorRate,
                threshold: context.thresholds.errorRate,
            }),
        )
        .withPanel(
            timeSeriesPanel({
                id: systemPanels.averageLatency,
                title: "Latency: average and p95",
                description: "HighLatency fires when p95 stays above the red line.",
                expr: queries.averageLatency,
                legend: "average",
                unit: "s",
                alertThreshold: context.thresholds.latencyP95Seconds,
                width: 15,
            }).withTarget(promQuery(queries.p95Latency, "p95", "B")),
        )
        .withPanel(
            timeSeriesPanel({
                id: systemPanels.sessionsCreated,
                title: "Sessions created per minute",
                expr: queries.sessionsCreated,
                legend: "sessions/min",
                unit: "short",
                width: 9,
            }),
        )
        .withPanel(
            timeSeriesPanel({
                id: systemPanels.healthProbes,
                title: "Health probes per pod",
                description:
                    "1: the pod answers /health (liveness) or /health/ready (readiness, checks the database); 0: it fails.",
                expr: queries.healthProbes,
                legend: "{{pod}} {{probe}}",
                max: 1,
                width: 24,
                height: 7,
            }),
        )
        .build() as unknown as DashboardModel;
}
