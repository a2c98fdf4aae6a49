// The agents' rules, on the seed's agent metrics (docs/metrics.md) and
// kube-state-metrics: crash loops, slow responses per agent type, and agents that stop answering
// while conversations are open.

import { alertRule, recordingRule, selector, type RuleGroup, type RulesContext } from "./rule-builders";
import { agentPanels, agentRecords, infrastructurePanels, number } from "../catalogue";

export function agentRuleGroup(context: RulesContext): RuleGroup {
    const { metrics, agents, namespace } = context.stella;
    const thresholds = context.thresholds;
    return {
        name: "stella-agents",
        rules: [
            recordingRule(agentRecords.messagesRate5m, `sum by (agent_type) (rate(${metrics.agentMessagesTotal}[5m]))`),
            recordingRule(
                agentRecords.responseP95,
                `histogram_quantile(0.95, sum by (le, agent_type) (rate(${metrics.agentResponseSeconds}_bucket[5m])))`,
            ),
            recordingRule(
                agentRecords.conversationsActive,
                `sum by (agent_type) (${metrics.agentConversationsActive})`,
            ),
            alertRule(context, {
                name: "AgentPodFailures",
                expr: `increase(kube_pod_container_status_restarts_total${selector({ namespace, container: agents.containerName })}[1h]) > ${thresholds.agentRestartsPerHour}`,
                for: thresholds.agentRestartsFor,
                severity: "critical",
                service: "stella-agent",
                summary: "Agent pods restarting frequently",
                description: `Pod {{ $labels.pod }} restarted {{ $value | printf "%.0f" }} times in the last hour (threshold ${thresholds.agentRestartsPerHour}).`,
                panel: { dashboard: "infrastructure", panelId: infrastructurePanels.podRestarts },
            }),
            alertRule(context, {
                name: "AgentHighResponseLatency",
                expr: `${agentRecords.responseP95} > ${number(thresholds.agentLatencyP95Seconds)}`,
                for: thresholds.agentLatencyFor,
                severity: "warning",
                service: "stella-agent",
                summary: "Agents slow to respond",
                description: `p95 response time of {{ $labels.agent_type }} agents is {{ $value | humanizeDuration }} (threshold ${number(thresholds.agentLatencyP95Seconds)}s).`,
                panel: { dashboard: "agents", panelId: agentPanels.responseP95 },
            }),
            alertRule(context, {
                name: "StellaAgentsUnavailable",
                // Agent pods may come and go with demand, so "no agent" is an outage only while sessions are open.
                // The sessions are summed here, not read from the backend group's recording rule: groups
                // evaluate concurrently, so another group's record lags an interval or goes stale.
                expr: `(sum(${metrics.sessionsActive}) > 0) unless on () (count(up${selector({ job: "stella-agents", namespace })} == 1) > 0)`,
                for: "5m",
                severity: "critical",
                service: "stella-agent",
                summary: "Sessions are open but no agent is running",
                description:
                    "{{ $value }} sessions are active and Prometheus reaches no stella-agent pod: nobody answers users.",
                panel: { dashboard: "agents", panelId: agentPanels.conversations },
            }),
            alertRule(context, {
                name: "AgentMessagesStalled",
                // Open conversations with no message processed: the agents hang while users wait.
                expr: `(${agentRecords.messagesRate5m} == 0) and on (agent_type) (${agentRecords.conversationsActive} > 0)`,
                for: "10m",
                severity: "critical",
                service: "stella-agent",
                summary: "Agents stopped processing messages",
                description:
                    "{{ $labels.agent_type }} agents processed no message for 10 minutes while conversations are open.",
                panel: { dashboard: "agents", panelId: agentPanels.messagesPerMinute },
            }),
        ],
    };
}
