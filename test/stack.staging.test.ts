// staging: prod's shape at a smaller size.
import { describeProductionStack } from "./production-stacks";

describeProductionStack("staging", {
    prometheusReplicas: 2,
    prometheusRetention: "7d",
    prometheusStorage: "20Gi",
    lokiReplicas: 2,
    jaegerReplicas: 2,
    grafanaHost: "grafana.staging.stella.example.com",
});
