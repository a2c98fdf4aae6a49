// "STELLA Agent Performance" (docs/design.md): response latency
// distribution, messages per minute, tool execution time and STT/TTS latency, per agent type and pod.
// Metric names beyond the seed's are defined in docs/metrics.md.

import * as heatmap from "@grafana/grafana-foundation-sdk/heatmap";
import { type DashboardContext, type DashboardModel } from "./model";
import {
    heatmapAxis,
    heatmapQuery,
    labelVariable,
    namespaceVariable,
    size,
    stellaDashboard,
    timeSeriesPanel,
} from "./panels";
import { agentPanels, dashboardUids } from "../catalogue";

export function agentQueries(context: DashboardContext) {
    const { metrics } = context;
    const scope = `namespace="$namespace", agent_type=~"$agent_type", pod=~"$pod"`;
    const p95 = (histogram: string, by: string) =>
        `histogram_quantile(0.95, sum by (le, ${by}) (rate(${histogram}_bucket{${scope}}[$__rate_interval])))`;
    return {
        responseDistribution: `sum by (le) (rate(${metrics.agentResponseSeconds}_bucket{${scope}}[$__rate_interval]))`,
        responseP95: p95(metrics.agentResponseSeconds, "agent_type"),
        messagesPerMinute: `sum by (agent_type, direction) (rate(${metrics.agentMessagesTotal}{${scope}}[$__rate_interval])) * 60`,
        conversations: `sum by (agent_type) (${metrics.agentConversationsActive}{${scope}})`,
        toolDuration: p95("stella_agent_tool_duration_seconds", "tool"),
        sttLatency: p95("stella_agent_stt_duration_seconds", "provider"),
        ttsLatency: p95("stella_agent_tts_duration_seconds", "provider"),
    };
}

export function agentPerformanceDashboard(context: DashboardContext): DashboardModel {
    const queries = agentQueries(context);
    const latency = (id: number, title: string, expr: string) =>
        timeSeriesPanel({ id, title, expr, legend: "{{provider}}", unit: "s", width: 8 });
    return stellaDashboard(
        dashboardUids.agents,
        "STELLA Agent Performance",
        "How fast and how much the agents answer, per agent type.",
        "stella-agent",
    )
        .withVariable(namespaceVariable(context.stellaNamespace))
        .withVariable(
            labelVariable(
                "agent_type",
                "Agent type",
                `label_values(${context.metrics.agentMessagesTotal}{namespace="$namespace"}, agent_type)`,
            ),
        )
        .withVariable(
            labelVariable(
                "pod",
                "Pod",
                `label_values(${context.metrics.agentMessagesTotal}{namespace="$namespace", agent_type=~"$agent_type"}, pod)`,
            ),
        )
        .withPanel(
            new heatmap.PanelBuilder()
                .id(agentPanels.responseDistribution)
                .title("Response latency distribution")
                .withTarget(heatmapQuery(queries.responseDistribution))
                .calculate(false)
                .yAxis(heatmapAxis("s"))
                .gridPos(size(12, 8)),
        )
        .withPanel(
            timeSeriesPanel({
                id: agentPanels.responseP95,
                title: "Response latency p95 by agent type",
                expr: queries.responseP95,
                legend: "{{agent_type}}",
                unit: "s",
                alertThreshold: context.thresholds.agentLatencyP95Seconds,
            }),
        )
        .withPanel(
            timeSeriesPanel({
                id: agentPanels.messagesPerMinute,
                title: "Messages per minute",
                expr: queries.messagesPerMinute,
                legend: "{{agent_type}} {{direction}}",
                unit: "short",
            }),
        )
        .withPanel(
            timeSeriesPanel({
                id: agentPanels.conversations,
                title: "Active conversations",
                expr: queries.conversations,
                legend: "{{agent_type}}",
                unit: "short",
            }),
        )
        .withPanel(
            timeSeriesPanel({
                id: agentPanels.toolDuration,
                title: "Tool execution time p95",
                expr: queries.toolDuration,
                legend: "{{tool}}",
                unit: "s",
                width: 8,
            }),
        )
        .withPanel(latency(agentPanels.sttLatency, "STT latency p95", queries.sttLatency))
        .withPanel(latency(agentPanels.ttsLatency, "TTS latency p95", queries.ttsLatency))
        .build() as unknown as DashboardModel;
}
