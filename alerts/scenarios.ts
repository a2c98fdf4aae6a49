// Every fault scenario of STELLA's alert rules, in one list: the whole platform's (healthy traffic, no
// traffic), then each rule group's, from the files beside its rules. test/alert-rules.test.ts runs
// each through promtool; tools/bench-alerts.ts measures the minutes from onset to page.

import { agentScenarios } from "./agent-scenarios";
import { backendScenarios } from "./backend-scenarios";
import { scenario, type Scenario } from "./scenario";
import { stackScenarios } from "./stack-scenarios";

/** The platform as a whole: nothing fires on healthy traffic, nor when the traffic stops. */
const platformScenarios: readonly Scenario[] = [
    scenario({
        name: "healthy steady traffic",
        description:
            "10 req/s without an error (so no 5xx series at all), p95 0.175 s, 20 sessions, agents answering, logs and spans flowing: for 2.5 hours from a cold start, nothing fires, and every error ratio reads 0, not 'no data'.",
        onsetMinutes: 0,
        faultMinutes: 150,
        fault: {},
        fires: [],
        silentAt: [0, 1, 2, 5, 10, 15, 20, 30, 45, 60, 75, 90, 105, 120, 135, 150],
        records: [
            { expr: "stella:http_requests:rate5m", at: 60, value: 10 },
            { expr: "stella:http_error_ratio:rate5m", at: 1, value: 0 },
            { expr: "stella:http_error_ratio:rate5m", at: 60, value: 0 },
            { expr: "stella:http_error_ratio:rate1h", at: 60, value: 0 },
            { expr: "stella:http_error_ratio:rate6h", at: 150, value: 0 },
            { expr: "stella:http_error_ratio:rate3d", at: 150, value: 0 },
            { expr: "stella:http_request_duration:p95_5m", at: 60, value: 0.175 },
            { expr: "stella:sessions_active:sum", at: 60, value: 20 },
            { expr: "stella:agent_messages:rate5m", at: 60, labels: { agent_type: "stella-agent" }, value: 1 },
            {
                expr: "stella:agent_response_seconds:p95_5m",
                at: 60,
                labels: { agent_type: "stella-agent" },
                value: 3.5,
            },
        ],
        target: { kind: "nothing fires" },
    }),
    scenario({
        name: "zero traffic",
        description:
            "Traffic stops (no requests, sessions, messages or spans) while the backend is up and its probes pass: no error, latency, SLO or other alert.",
        faultMinutes: 65,
        fault: {
            requestsPerSecond: 0,
            sessionsActive: 0,
            agentMessagesPerSecond: 0,
            agentConversations: 0,
            spansAcceptedPerSecond: 0,
        },
        fires: [],
        silentAt: [-1, 1, 2, 5, 10, 15, 20, 30, 45, 60, 65],
        target: { kind: "nothing fires" },
    }),
];

export const scenarios: readonly Scenario[] = [
    ...platformScenarios,
    ...backendScenarios,
    ...agentScenarios,
    ...stackScenarios,
];

export function scenarioNamed(name: string): Scenario {
    const found = scenarios.find((candidate) => candidate.name === name);
    if (found === undefined) throw new Error(`no scenario ${name}`);
    return found;
}
