// Every dashboard this stack registers in Grafana's STELLA folder.

import type { Dashboard } from "./model";
import { stellaOverviewDashboard } from "./stella-overview";

export function stellaDashboards(): Dashboard[] {
    return [stellaOverviewDashboard()];
}
