// The fault scenarios of the agents' rules (agent-rules.ts): crash loops, agents gone, stalled or slow.

import { scenario, type Scenario } from "./scenario";
import { labels } from "./simulator";

export const agentScenarios: readonly Scenario[] = [
    scenario({
        name: "agent crash loop",
        description: "The agent container restarts at the onset and every 2 minutes after. Pages within 16 minutes.",
        faultMinutes: 18,
        fault: { agentRestartEveryMinutes: 2 },
        fires: [
            {
                // The 6th restart (minute 10) takes the hour's increase past 5; `for: 5m` more.
                alertname: "AgentPodFailures",
                firingAt: 15,
                labels: {
                    severity: "critical",
                    service: "stella-agent",
                    ...labels.agentPod,
                },
                summary: "Agent pods restarting frequently",
                description: "Pod stella-agent-5c7b9-q4m2z restarted 8 times in the last hour (threshold 5).",
            },
        ],
        silentAt: [-1, 0, 14.75, 15, 18],
        target: { kind: "page", withinMinutes: 16, bound: "seed" },
    }),
    scenario({
        name: "agents gone",
        description: "No agent pod runs (their series go stale) while 20 sessions are open.",
        faultMinutes: 8,
        fault: { agentsRunning: false },
        fires: [
            {
                alertname: "StellaAgentsUnavailable",
                firingAt: 5,
                labels: { severity: "critical", service: "stella-agent" },
                summary: "Sessions are open but no agent is running",
                description: "20 sessions are active and Prometheus reaches no stella-agent pod: nobody answers users.",
            },
        ],
        silentAt: [-1, 0, 4.75, 5, 8],
    }),
    scenario({
        name: "agents stalled",
        description: "Conversations stay open but the agents process no message.",
        faultMinutes: 20,
        fault: { agentMessagesPerSecond: 0 },
        fires: [
            {
                // The 5m rate reaches 0 once the last message leaves the window: the onset sample is the
                // first without one, and the left-open window (t-5m, t] holds only samples from then on at
                // +4.5 minutes; `for: 10m` more.
                alertname: "AgentMessagesStalled",
                firingAt: 14.5,
                labels: { severity: "critical", service: "stella-agent", agent_type: "stella-agent" },
                summary: "Agents stopped processing messages",
                description: "stella-agent agents processed no message for 10 minutes while conversations are open.",
            },
        ],
        silentAt: [-1, 0, 10, 14.25, 14.5, 20],
    }),
    scenario({
        name: "agents slow",
        description: "Agents answer with a p95 of 8 s (threshold 5 s).",
        faultMinutes: 15,
        fault: { agentSlow: true },
        fires: [
            {
                // p95 passes 5 s once more than 40% of the window's answers are slow: 8 of its 19
                // intervals (the onset sample's included) at +1.75 minutes; `for: 10m` more.
                alertname: "AgentHighResponseLatency",
                firingAt: 11.75,
                labels: { severity: "warning", service: "stella-agent", agent_type: "stella-agent" },
                summary: "Agents slow to respond",
                description: "p95 response time of stella-agent agents is 8s (threshold 5s).",
            },
        ],
        silentAt: [-1, 0, 11.5, 11.75, 15],
        records: [
            {
                expr: "stella:agent_response_seconds:p95_5m",
                at: 10,
                labels: { agent_type: "stella-agent" },
                value: 8,
            },
        ],
    }),
];
