#!/usr/bin/env python3
"""A fake STELLA agent pod, instrumented with prometheus_client the way the Python agents are: the
metrics of docs/metrics.md under the names the client library gives them, served on /metrics, with a
steady conversation load.

    python3 tools/e2e/fake-agent.py --port <port>
"""

import argparse
import random
import signal
import sys
import time

from prometheus_client import Counter, Gauge, Histogram, start_http_server

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--port", type=int, required=True)
args = parser.parse_args()

messages = Counter("stella_agent_messages", "Agent messages", ["agent_type", "direction"])
response_seconds = Histogram(
    "stella_agent_response_seconds", "Agent response time", ["agent_type"], buckets=(0.1, 0.5, 1, 2, 5, 10)
)
conversations = Gauge("stella_agent_conversations_active", "Active conversations", ["agent_type"])
tool_seconds = Histogram(
    "stella_agent_tool_duration_seconds",
    "Tool execution time",
    ["agent_type", "tool", "status"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)

signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
start_http_server(args.port, addr="127.0.0.1")
agent_types = ("voice", "chat")
for agent_type in agent_types:
    conversations.labels(agent_type).set(3)
while True:
    for agent_type in agent_types:
        messages.labels(agent_type, "inbound").inc()
        messages.labels(agent_type, "outbound").inc()
        response_seconds.labels(agent_type).observe(random.uniform(0.2, 1.5))
        tool_seconds.labels(agent_type, "lookup", "ok").observe(random.uniform(0.05, 0.4))
    time.sleep(1)
