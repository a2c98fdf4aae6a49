// prod: HA, persistent, object storage.
import { describeProductionStack } from "./support/production-stacks";

describeProductionStack("prod", {
    prometheusReplicas: 2,
    prometheusRetention: "30d",
    prometheusStorage: "100Gi",
    prometheusRetentionSize: "80GB",
    prometheusAntiAffinity: "hard",
    lokiReplicas: 3,
    jaegerReplicas: 2,
    grafanaHost: "grafana.stella.example.com",
    protectsData: true,
});
