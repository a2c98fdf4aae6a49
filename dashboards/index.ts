// Every dashboard this stack registers in Grafana's STELLA folder, built from one context.

import { agentPerformanceDashboard } from "./agent-performance";
import { infrastructureDashboard } from "./infrastructure";
import { logsTracesDashboard } from "./logs-traces";
import type { DashboardContext, DashboardModel } from "./model";
import { sloDashboard } from "./slo";
import { stellaOverviewDashboard } from "./stella-overview";
import { systemOverviewDashboard } from "./system-overview";

export function stellaDashboards(context: DashboardContext): DashboardModel[] {
    return [
        stellaOverviewDashboard(context),
        systemOverviewDashboard(context),
        agentPerformanceDashboard(context),
        infrastructureDashboard(context),
        sloDashboard(context),
        logsTracesDashboard(context),
    ];
}
