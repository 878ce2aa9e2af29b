#!/usr/bin/env bash
# Writes the committed journal fixture with the current build: see README.txt next to this script.
# Run from the repository root after a build (mvn -B verify, or at least: the agent jar and the integration tests'
# test classes, e.g. flock /tmp/reprise-build.lock mvn -B -pl integration-tests -am verify -Dtest=none
# -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=CheckModeIT). Usage: make-fixture.sh OUTPUT.tar.gz
set -euo pipefail
out=$(realpath -m "$1")
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
agent=$PWD/agent/target/reprise-agent.jar
cp="$PWD/integration-tests/target/test-classes:$(cat integration-tests/target/fixture.classpath)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
port=18431
data=$work/data

start() {
    "$java" -javaagent:"$agent" -Dreprise.dir="$data" -cp "$cp" io.reprise.it.fixtures.FixtureApp --port $port \
        >>"$work/app.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 300); do
        curl -sf -o /dev/null http://127.0.0.1:$port/counter && return 0
        sleep 0.1
    done
    echo "the fixture did not start:" >&2; cat "$work/app.log" >&2; exit 1
}
call() { curl -sf -X "$1" ${3:+--data-binary "$3"} "http://127.0.0.1:$port$2"; echo; }

# First run: 3 increments, creates a, b, c, deletes b, sets the counter to 40; SIGTERM takes a final snapshot.
start
call POST /counter/increment; call POST /counter/increment; call POST /counter/increment
call POST /items a; call POST /items b; call POST /items c
call DELETE /items/b
call PUT /counter 40
kill -TERM $pid; wait $pid || true

# Second run, after that snapshot: creates d, 2 increments, deletes a; SIGKILL (no snapshot).
start
call POST /items d
call POST /counter/increment; call POST /counter/increment
call DELETE /items/a
kill -KILL $pid; wait $pid 2>/dev/null || true

tar --sparse --numeric-owner --owner=0 --group=0 -C "$work" -czf "$out" data
ls -l "$out"
tar -tvzf "$out"
