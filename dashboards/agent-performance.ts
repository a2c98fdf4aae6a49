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
    stellaDashboard,
    thresholdLines,
    thresholds,
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
    const series = timeSeriesPanel;
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
                .gridPos({ x: 0, y: 0, w: 12, h: 8 }),
        )
        .withPanel(
            series(
                agentPanels.responseP95,
                "Response latency p95 by agent type",
                queries.responseP95,
                "{{agent_type}}",
                "s",
                12,
                0,
            )
                .thresholds(thresholds(context.thresholds.agentLatencyP95Seconds))
                .thresholdsStyle(thresholdLines()),
        )
        .withPanel(
            series(
                agentPanels.messagesPerMinute,
                "Messages per minute",
                queries.messagesPerMinute,
                "{{agent_type}} {{direction}}",
                "short",
                0,
                8,
            ),
        )
        .withPanel(
            series(
                agentPanels.conversations,
                "Active conversations",
                queries.conversations,
                "{{agent_type}}",
                "short",
                12,
                8,
            ),
        )
        .withPanel(
            series(
                agentPanels.toolDuration,
                "Tool execution time p95",
                queries.toolDuration,
                "{{tool}}",
                "s",
                0,
                16,
                8,
            ),
        )
        .withPanel(series(agentPanels.sttLatency, "STT latency p95", queries.sttLatency, "{{provider}}", "s", 8, 16, 8))
        .withPanel(
            series(agentPanels.ttsLatency, "TTS latency p95", queries.ttsLatency, "{{provider}}", "s", 16, 16, 8),
        )
        .build() as unknown as DashboardModel;
}
