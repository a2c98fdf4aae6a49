// "STELLA Logs & Traces": Loki logs filtered by level and session_id, the log volume by level, and a
// Jaeger trace search. A log line's trace_id links to its trace (Loki derived field), a trace's spans
// link back to their logs (Jaeger tracesToLogsV2): components/grafana.ts sets both.

import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import * as common from "@grafana/grafana-foundation-sdk/common";
import * as logs from "@grafana/grafana-foundation-sdk/logs";
import * as table from "@grafana/grafana-foundation-sdk/table";
import * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";
import { type DashboardContext, type DashboardModel } from "./model";
import { JaegerSearchBuilder, logQuery, namespaceVariable, size, stellaDashboard } from "./panels";
import { dashboardUids, datasources, logsTracesPanels, normalisedLevels } from "../catalogue";

export function logsTracesQueries() {
    // level is a label (low cardinality); session_id is structured metadata, filtered after the selector.
    const stream = `{namespace="$namespace", level=~"$level"}`;
    return {
        volume: `sum by (level) (count_over_time(${stream} [$__auto]))`,
        logs: `${stream} | session_id=~"$session_id"`,
        traceService: "$service",
    };
}

export function logsTracesDashboard(context: DashboardContext): DashboardModel {
    const queries = logsTracesQueries();
    return stellaDashboard(
        dashboardUids.logsTraces,
        "STELLA Logs & Traces",
        "Logs by level and session, and the traces behind them.",
        ".*",
    )
        .withVariable(namespaceVariable(context.stellaNamespace))
        .withVariable(
            new dashboard.CustomVariableBuilder("level")
                .label("Level")
                // Alloy normalises every line's level to one of these (components/alloy.ts).
                .values(normalisedLevels.join(","))
                .multi(true)
                .includeAll(true)
                .allValue(".*")
                .current({ text: "All", value: "$__all" }),
        )
        .withVariable(
            new dashboard.TextBoxVariableBuilder("session_id")
                .label("Session id (regex)")
                .description("A session id, or .* for every session")
                .defaultValue(".*")
                .current({ text: ".*", value: ".*" }),
        )
        .withVariable(
            new dashboard.TextBoxVariableBuilder("service")
                .label("Trace service")
                .defaultValue("stella-backend")
                .current({ text: "stella-backend", value: "stella-backend" }),
        )
        .withPanel(
            new timeseries.PanelBuilder()
                .id(logsTracesPanels.volume)
                .title("Log volume by level")
                .datasource(datasources.loki)
                .withTarget(logQuery(queries.volume))
                .unit("short")
                .drawStyle(common.GraphDrawStyle.Bars)
                .gridPos(size(24, 6)),
        )
        .withPanel(
            new logs.PanelBuilder()
                .id(logsTracesPanels.logs)
                .title("Logs")
                .description("Open a line's details: its trace_id links to the trace in Jaeger.")
                .datasource(datasources.loki)
                .withTarget(logQuery(queries.logs).maxLines(1000))
                .showTime(true)
                .wrapLogMessage(true)
                .prettifyLogMessage(true)
                .enableLogDetails(true)
                .sortOrder(common.LogsSortOrder.Descending)
                .dedupStrategy(common.LogsDedupStrategy.None)
                .gridPos(size(24, 12)),
        )
        .withPanel(
            new table.PanelBuilder()
                .id(logsTracesPanels.traces)
                .title("Traces")
                .description("Recent traces of the service; open one to see its spans and jump to its logs.")
                .datasource(datasources.jaeger)
                .withTarget(new JaegerSearchBuilder(queries.traceService))
                .gridPos(size(24, 10)),
        )
        .build() as unknown as DashboardModel;
}
