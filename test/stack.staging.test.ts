// staging: prod's shape at a smaller size.
import { describeProductionStack } from "./support/production-stacks";

describeProductionStack("staging", {
    prometheusReplicas: 2,
    prometheusRetention: "7d",
    prometheusStorage: "20Gi",
    prometheusRetentionSize: "16GB",
    prometheusAntiAffinity: "soft",
    lokiReplicas: 3,
    jaegerReplicas: 2,
    grafanaHost: "grafana.staging.stella.example.com",
    protectsData: false,
});
