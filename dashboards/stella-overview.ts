// "STELLA Overview": the seed's dashboard (../shared/seed-monitoring.md, "Dashboard JSON") with its four
// panels, on current panel types (Grafana removed `graph`) and with the latency heatmap's buckets summed
// by le across pods.

import { prometheusDatasource, type Dashboard, type Panel } from "./model";

/** The queries, apart from layout. */
export const overviewQueries = {
    activeSessions: "sum(stella_sessions_active)",
    requestRate: "sum(rate(stella_http_requests_total[5m]))",
    errorRate: 'sum(rate(stella_http_requests_total{status=~"5.."}[5m])) / sum(rate(stella_http_requests_total[5m]))',
    latencyHeatmap: "sum by (le) (rate(stella_http_request_duration_bucket[5m]))",
} as const;

const target = (expr: string, extra: { legendFormat?: string; format?: "time_series" | "heatmap" } = {}) => ({
    refId: "A",
    expr,
    datasource: prometheusDatasource,
    ...extra,
});

/** The dashboard model. Pure and deterministic: the same input gives the same bytes. */
export function stellaOverviewDashboard(): Dashboard {
    const panels: Panel[] = [
        {
            id: 1,
            type: "stat",
            title: "Active Sessions",
            description: "Sessions open right now, summed over backend replicas.",
            gridPos: { x: 0, y: 0, w: 6, h: 8 },
            datasource: prometheusDatasource,
            targets: [target(overviewQueries.activeSessions, { legendFormat: "sessions" })],
            fieldConfig: { defaults: { unit: "short", decimals: 0 }, overrides: [] },
            options: {
                reduceOptions: { calcs: ["lastNotNull"], fields: "", values: false },
                colorMode: "value",
                graphMode: "area",
            },
        },
        {
            id: 2,
            type: "timeseries",
            title: "Request Rate",
            description: "Backend HTTP requests per second.",
            gridPos: { x: 6, y: 0, w: 9, h: 8 },
            datasource: prometheusDatasource,
            targets: [target(overviewQueries.requestRate, { legendFormat: "requests/s" })],
            fieldConfig: { defaults: { unit: "reqps" }, overrides: [] },
            options: { legend: { displayMode: "list", placement: "bottom" }, tooltip: { mode: "multi" } },
        },
        {
            id: 3,
            type: "timeseries",
            title: "Error Rate",
            description: "Share of backend requests answered with a 5xx; HighErrorRate pages above 5%.",
            gridPos: { x: 15, y: 0, w: 9, h: 8 },
            datasource: prometheusDatasource,
            targets: [target(overviewQueries.errorRate, { legendFormat: "5xx share" })],
            fieldConfig: {
                defaults: {
                    unit: "percentunit",
                    min: 0,
                    thresholds: {
                        mode: "absolute",
                        steps: [
                            { color: "green", value: null },
                            { color: "red", value: 0.05 },
                        ],
                    },
                    custom: { thresholdsStyle: { mode: "line" } },
                },
                overrides: [],
            },
            options: { legend: { displayMode: "list", placement: "bottom" }, tooltip: { mode: "multi" } },
        },
        {
            id: 4,
            type: "heatmap",
            title: "Response Latency",
            description: "Distribution of backend request latency; buckets summed over all pods.",
            gridPos: { x: 0, y: 8, w: 24, h: 9 },
            datasource: prometheusDatasource,
            targets: [target(overviewQueries.latencyHeatmap, { legendFormat: "{{le}}", format: "heatmap" })],
            fieldConfig: { defaults: { unit: "s" }, overrides: [] },
            options: {
                calculate: false,
                yAxis: { unit: "s" },
                color: { mode: "scheme", scheme: "Oranges" },
                cellGap: 1,
            },
        },
    ];
    return {
        uid: "stella-overview",
        title: "STELLA Overview",
        tags: ["stella"],
        timezone: "utc",
        schemaVersion: 41,
        refresh: "30s",
        time: { from: "now-6h", to: "now" },
        panels,
    };
}
