// The names the alerts, the dashboards and the components share: data source and dashboard uids,
// the panels alerts and runbooks link to, the recording rules dashboards read, and the scrape jobs
// rules select. It sits below all of them and imports nothing of the program, so that alerts/ and
// dashboards/ both depend on it and never on each other.

/** Data source uids: fixed, so dashboards and links never depend on Grafana's generated ids. */
export const datasourceUids = {
    prometheus: "prometheus",
    loki: "loki",
    jaeger: "jaeger",
    alertmanager: "alertmanager",
} as const;

export interface DataSourceRef {
    readonly type: string;
    readonly uid: string;
}

export const datasources = {
    prometheus: { type: "prometheus", uid: datasourceUids.prometheus },
    loki: { type: "loki", uid: datasourceUids.loki },
    jaeger: { type: "jaeger", uid: datasourceUids.jaeger },
    alertmanager: { type: "alertmanager", uid: datasourceUids.alertmanager },
} as const satisfies Record<string, DataSourceRef>;

/** Dashboard uids: stable, so alert annotations and runbooks can link to them. */
export const dashboardUids = {
    overview: "stella-overview",
    system: "stella-system",
    agents: "stella-agents",
    infrastructure: "stella-infrastructure",
    slo: "stella-slo",
    logsTraces: "stella-logs-traces",
} as const;

export type DashboardKey = keyof typeof dashboardUids;

/** A panel an alert or a runbook links to: /d/<uid>?viewPanel=<id>. */
export interface PanelRef {
    readonly dashboard: DashboardKey;
    readonly panelId: number;
    /** Template variables to open the dashboard with, e.g. { namespace: "monitoring" }. */
    readonly variables?: Readonly<Record<string, string>>;
}

/** The path of a panel inside Grafana, for links. */
export function panelPath(ref: PanelRef): string {
    const variables = Object.entries(ref.variables ?? {}).map(
        ([name, value]) => `&var-${name}=${encodeURIComponent(value)}`,
    );
    return `/d/${dashboardUids[ref.dashboard]}?viewPanel=${ref.panelId}${variables.join("")}`;
}

// Panel anchors: the ids alerts and runbooks link to (/d/<uid>?viewPanel=<id>).

export const overviewPanels = { activeSessions: 1, requestRate: 2, errorRate: 3, latency: 4, firingAlerts: 5 } as const;

export const systemPanels = {
    activeSessions: 1,
    requestRate: 2,
    errorRate: 3,
    averageLatency: 4,
    sessionsCreated: 5,
    healthProbes: 6,
} as const;

export const agentPanels = {
    responseDistribution: 1,
    responseP95: 2,
    messagesPerMinute: 3,
    conversations: 4,
    toolDuration: 5,
    sttLatency: 6,
    ttsLatency: 7,
} as const;

export const infrastructurePanels = {
    podCpu: 1,
    podMemory: 2,
    podRestarts: 3,
    databaseConnections: 4,
    nodeCpu: 5,
    nodeMemory: 6,
    nodeDisk: 7,
    scrapeSampleShare: 8,
    samplesPerJob: 9,
    logStreamsPerApp: 10,
    lokiIngesterStreams: 11,
} as const;

export const sloPanels = { availabilityBudget: 1, availabilityBurn: 2, latencyBudget: 3, latencyBurn: 4 } as const;

export const logsTracesPanels = { volume: 1, logs: 2, traces: 3 } as const;

// Recording rules: written by alerts/, read by dashboards.

/** The recording rule names, shared with dashboards. */
export const backendRecords = {
    requestRate5m: "stella:http_requests:rate5m",
    errorRatio: (window: string) => `stella:http_error_ratio:rate${window}`,
    slowRatio: (window: string) => `stella:http_slow_ratio:rate${window}`,
    latencyP95: "stella:http_request_duration:p95_5m",
    sessionsActive: "stella:sessions_active:sum",
} as const;

export const agentRecords = {
    messagesRate5m: "stella:agent_messages:rate5m",
    responseP95: "stella:agent_response_seconds:p95_5m",
    conversationsActive: "stella:agent_conversations_active:sum",
} as const;

// Scrape jobs: the job label of each target STELLA is scraped as; rules select on it.

/** The PodMonitors' jobs. */
export const stellaJobs = { backend: "stella-backend", agents: "stella-agents" } as const;

/** The job label of the probes' samples; the health alerts select it. */
export const healthProbeJob = "stella-backend-health";

// Cardinality guards: where their alerts warn, and where the dashboards draw the warning line.

/** The share of a sample limit that warns: room for a few days' growth, or a fix, before scrapes fail. */
export const sampleLimitWarningShare = 0.8;

/** The share of an ingester's stream limit that warns (LokiStreamsNearLimit). */
export const lokiStreamWarningShare = 0.8;

/** A threshold as PromQL prints it: no floating-point noise (14.4 × 0.001 is 0.014400000000000001). */
export function number(value: number): string {
    return String(Number(value.toPrecision(6)));
}

// Log levels: Alloy normalises every line's level to one of these; the dashboards' level filter offers them.

/** The levels a line's `level` label takes. */
export const normalisedLevels = ["trace", "debug", "info", "warn", "error", "critical", "fatal", "unknown"] as const;
