// stella-monitoring: STELLA's observability stack, one `pulumi up` per environment.
// Config is read and validated first: a bad key fails here, before any resource is registered.

import { loadConfig } from "./config";
import { createMonitoringStack } from "./stack";

const outputs = createMonitoringStack(loadConfig());

export const grafanaUrl = outputs.grafanaUrl;
export const grafanaAdminUser = outputs.grafanaAdminUser;
export const grafanaAdminPassword = outputs.grafanaAdminPassword;
export const prometheusUrl = outputs.prometheusUrl;
export const alertmanagerUrl = outputs.alertmanagerUrl;
export const lokiPushUrl = outputs.lokiPushUrl;
export const otlpGrpcEndpoint = outputs.otlpGrpcEndpoint;
export const otlpHttpEndpoint = outputs.otlpHttpEndpoint;
export const jaegerQueryUrl = outputs.jaegerQueryUrl;
export const smokeExpectations = outputs.smokeExpectations;
