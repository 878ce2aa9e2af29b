#!/usr/bin/env bash
# Builds Reprise and the counter sample, then runs the crash-and-recover demo:
# start the counter with the agent, drive load, SIGKILL it, restart it, show what came back and how fast.
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -q package -DskipTests
exec java samples/counter/demo/CrashDemo.java "$@"
