// Fake Slack, PagerDuty and heartbeat endpoints on loopback: each records every notification
// Alertmanager sends it, with the time it arrived, and answers the way the real service does on success.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type ReceiverKind = "slack" | "pagerduty" | "heartbeat";

export interface Notification {
    readonly kind: ReceiverKind;
    /** Milliseconds since the epoch when it arrived. */
    readonly at: number;
    readonly body: Record<string, unknown>;
}

/** Alertmanager's PagerDuty Events API v2 message, as far as the tests read it. */
export interface PagerDutyEvent {
    routing_key: string;
    event_action: "trigger" | "resolve";
    dedup_key: string;
    payload: { summary: string; severity: string; custom_details?: Record<string, unknown> };
    links?: { href: string; text: string }[];
}

/** Alertmanager's Slack message (incoming-webhook form). */
export interface SlackMessage {
    channel?: string;
    attachments: { title: string; text: string; color?: string }[];
}

/** Alertmanager's webhook payload (the heartbeat's). */
export interface WebhookMessage {
    status: string;
    alerts: { labels: Record<string, string> }[];
}

export class FakeReceivers {
    readonly notifications: Notification[] = [];
    private server: Server | undefined;
    private port = 0;

    /** Listens on 127.0.0.1 on a free port. */
    async start(): Promise<void> {
        this.server = createServer((request, response) => this.handle(request, response));
        await new Promise<void>((done, fail) => {
            this.server?.once("error", fail);
            this.server?.listen(0, "127.0.0.1", () => done());
        });
        this.port = (this.server.address() as AddressInfo).port;
    }

    /** The URL Alertmanager is given for a receiver. */
    url(kind: ReceiverKind): string {
        const paths: Record<ReceiverKind, string> = {
            slack: "/slack/services/T0/B0/e2e",
            pagerduty: "/pagerduty/v2/enqueue",
            heartbeat: "/heartbeat/ping",
        };
        return `http://127.0.0.1:${this.port}${paths[kind]}`;
    }

    of<T>(kind: ReceiverKind): { at: number; body: T }[] {
        return this.notifications
            .filter((notification) => notification.kind === kind)
            .map((notification) => ({ at: notification.at, body: notification.body as T }));
    }

    /** Waits until `test` finds something or `timeoutMs` passes; returns what it found, or undefined. */
    async waitFor<T>(test: () => T | undefined, timeoutMs: number, pollMs = 250): Promise<T | undefined> {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            const found = test();
            if (found !== undefined) return found;
            if (Date.now() >= deadline) return undefined;
            await new Promise((done) => setTimeout(done, pollMs));
        }
    }

    async stop(): Promise<void> {
        const server = this.server;
        this.server = undefined;
        if (server === undefined) return;
        server.closeAllConnections();
        await new Promise<void>((done) => server.close(() => done()));
    }

    private handle(request: IncomingMessage, response: ServerResponse): void {
        const chunks: Buffer[] = [];
        request.on("data", (chunk: Buffer) => chunks.push(chunk));
        request.on("end", () => {
            const path = request.url ?? "";
            const kind: ReceiverKind | undefined = path.startsWith("/slack/")
                ? "slack"
                : path.startsWith("/pagerduty/")
                  ? "pagerduty"
                  : path.startsWith("/heartbeat/")
                    ? "heartbeat"
                    : undefined;
            if (kind === undefined || request.method !== "POST") {
                response.writeHead(404).end();
                return;
            }
            let body: Record<string, unknown>;
            try {
                body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
            } catch {
                response.writeHead(400).end("invalid JSON");
                return;
            }
            this.notifications.push({ kind, at: Date.now(), body });
            if (kind === "pagerduty") {
                // PagerDuty's Events API v2 accepts with 202 and a small JSON document.
                response.writeHead(202, { "content-type": "application/json" });
                response.end(
                    JSON.stringify({ status: "success", message: "Event processed", dedup_key: body.dedup_key }),
                );
            } else {
                response.writeHead(200, { "content-type": "text/plain" }).end("ok");
            }
        });
    }
}
