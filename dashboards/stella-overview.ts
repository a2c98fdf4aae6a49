// "STELLA Overview": the seed's dashboard (docs/design.md) with its
// four panels, on current panel types (Grafana removed `graph`), the latency heatmap's buckets summed
// by le across pods.

import * as heatmap from "@grafana/grafana-foundation-sdk/heatmap";
import * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";
import { backendRecords } from "../components/alerting/backend-rules";
import { dashboardUids, type DashboardContext, type DashboardModel } from "./model";
import { heatmapAxis, heatmapQuery, promQuery, statPanel, stellaDashboard, thresholdLines, thresholds } from "./panels";

/** Panel ids, for links from alerts and runbooks. */
export const overviewPanels = { activeSessions: 1, requestRate: 2, errorRate: 3, latency: 4 } as const;

/** The queries, apart from layout. */
export function overviewQueries(context: DashboardContext) {
    const { metrics } = context;
    return {
        activeSessions: backendRecords.sessionsActive,
        requestRate: backendRecords.requestRate5m,
        errorRate: backendRecords.errorRatio("5m"),
        latencyHeatmap: `sum by (le) (rate(${metrics.httpRequestDuration}_bucket[$__rate_interval]))`,
    };
}

export function stellaOverviewDashboard(context: DashboardContext): DashboardModel {
    const queries = overviewQueries(context);
    return stellaDashboard(
        dashboardUids.overview,
        "STELLA Overview",
        "The seed's overview: sessions, traffic, errors and latency of the backend.",
        "stella-.*",
    )
        .withPanel(
            statPanel()
                .id(overviewPanels.activeSessions)
                .title("Active Sessions")
                .description("Sessions open right now, summed over backend replicas.")
                .withTarget(promQuery(queries.activeSessions, "sessions"))
                .unit("short")
                .decimals(0)
                .thresholds(thresholds(context.thresholds.activeSessions))
                .gridPos({ x: 0, y: 0, w: 6, h: 8 }),
        )
        .withPanel(
            new timeseries.PanelBuilder()
                .id(overviewPanels.requestRate)
                .title("Request Rate")
                .description("Backend HTTP requests per second.")
                .withTarget(promQuery(queries.requestRate, "requests/s"))
                .unit("reqps")
                .min(0)
                .gridPos({ x: 6, y: 0, w: 9, h: 8 }),
        )
        .withPanel(
            new timeseries.PanelBuilder()
                .id(overviewPanels.errorRate)
                .title("Error Rate")
                .description("Share of backend requests answered with a 5xx; HighErrorRate pages above the red line.")
                .withTarget(promQuery(queries.errorRate, "5xx share"))
                .unit("percentunit")
                .min(0)
                .thresholds(thresholds(context.thresholds.errorRate))
                .thresholdsStyle(thresholdLines())
                .gridPos({ x: 15, y: 0, w: 9, h: 8 }),
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
                .gridPos({ x: 0, y: 8, w: 24, h: 9 }),
        )
        .build() as unknown as DashboardModel;
}
